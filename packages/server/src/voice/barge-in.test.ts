import { describe, expect, it } from "vitest";
import { BargeInPolicy } from "./barge-in.ts";

describe("BargeInPolicy", () => {
  const policy = new BargeInPolicy({ minSpeechMs: 200, maxBackchannelMs: 1200 });

  it("waits while the callee's sound is shorter than the threshold", () => {
    expect(policy.decide(120, "")).toBe("wait");
    expect(policy.decide(180, "wait stop")).toBe("wait");
  });

  it("pauses for speech not recognised yet, and cuts the agent off once it goes on", () => {
    expect(policy.decide(200, "")).toBe("pause");
    expect(policy.decide(650, "")).toBe("pause");
    expect(policy.decide(700, "")).toBe("barge_in");
    expect(policy.mayResume(450, "")).toBe(true);
    expect(policy.mayResume(450, "mm-hmm")).toBe(true);
    expect(policy.mayResume(450, "no")).toBe(false);
    expect(policy.mayResume(800, "")).toBe(false);
  });

  it("cuts the agent off once recognised speech passes the threshold", () => {
    expect(policy.decide(400, "sorry, can I stop you there")).toBe("barge_in");
  });

  it("lets acknowledgements through without stopping the agent", () => {
    for (const heard of ["uh-huh", "Mm-hmm.", "okay", "Yeah, okay", "right right", "got it"]) {
      expect(policy.decide(400, heard)).toBe("backchannel");
    }
  });

  it("stops the agent when an acknowledgement turns into a sentence or goes on too long", () => {
    expect(policy.decide(600, "okay but wait")).toBe("barge_in");
    expect(policy.decide(1300, "okay okay okay")).toBe("barge_in");
    expect(policy.isBackchannel("okay")).toBe(true);
    expect(policy.isBackchannel("no")).toBe(false);
    expect(policy.isBackchannel("")).toBe(false);
  });
});
