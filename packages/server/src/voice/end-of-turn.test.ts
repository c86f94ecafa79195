import { describe, expect, it } from "vitest";
import { EndOfTurnDetector } from "./end-of-turn.ts";

describe("EndOfTurnDetector", () => {
  it("ends the turn at once when the recogniser says the utterance is over", () => {
    const d = new EndOfTurnDetector({ silenceMs: 700 });
    d.onSpeech();
    d.onFinal("I can do Thursday", true);
    // Still within the VAD's hangover: the recogniser's judgement wins.
    expect(d.evaluate(100, true, 99)).toEqual({ type: "turn", text: "I can do Thursday" });
    expect(d.pending).toBe(false);
  });

  it("without end-of-utterance waits for the silence hangover, joining finals", () => {
    const d = new EndOfTurnDetector({ silenceMs: 600 });
    d.onSpeech();
    d.onFinal("I can do", false);
    d.onFinal("Thursday", false);
    expect(d.evaluate(110, false, 100)).toEqual({ type: "none" });
    expect(d.evaluate(129, false, 100)).toEqual({ type: "none" });
    expect(d.evaluate(130, false, 100)).toEqual({ type: "turn", text: "I can do Thursday" });
  });

  it("asks the recogniser to flush after silence, and drops sound that had no words", () => {
    const d = new EndOfTurnDetector({ silenceMs: 400, flushWaitMs: 1000 });
    d.onSpeech();
    expect(d.evaluate(120, false, 100)).toEqual({ type: "flush" });
    expect(d.evaluate(121, false, 100)).toEqual({ type: "none" });
    d.onFinal("yes", false);
    expect(d.evaluate(122, false, 100)).toEqual({ type: "turn", text: "yes" });

    d.onSpeech();
    expect(d.evaluate(220, false, 200)).toEqual({ type: "flush" });
    expect(d.evaluate(280, false, 200)).toEqual({ type: "none" });
    expect(d.pending).toBe(false);
  });

  it("reports what has been heard so far for the barge-in policy", () => {
    const d = new EndOfTurnDetector();
    d.onSpeech();
    d.onInterim("uh");
    expect(d.heard).toBe("uh");
    d.onFinal("uh-huh", false);
    d.onInterim("okay");
    expect(d.heard).toBe("uh-huh okay");
  });
});
