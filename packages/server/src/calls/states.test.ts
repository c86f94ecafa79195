import { CallEventSchema } from "@clawcall/contract";
import { describe, expect, it } from "vitest";
import { canTransition, isTerminal, LIVE_STATES, statusEvent } from "./states.ts";

describe("call states", () => {
  it("ends only in the terminal state, and nothing leaves it", () => {
    expect(LIVE_STATES).toEqual(["queued", "ringing", "in_progress"]);
    expect(isTerminal("ended")).toBe(true);
    for (const s of LIVE_STATES) {
      expect(isTerminal(s)).toBe(false);
      expect(canTransition(s, "ended")).toBe(true);
      expect(canTransition("ended", s)).toBe(false);
    }
  });

  it("builds status events clients can parse, with the outcome only once the call has one", () => {
    const at = new Date("2026-01-02T03:04:05Z");
    const ringing = statusEvent({ state: "ringing", fail_reason: null, outcome: null }, at);
    expect(ringing).toEqual({
      type: "status",
      status: "ringing",
      lifecycle: "dialing",
      at: at.toISOString(),
    });
    const failed = statusEvent({ state: "ended", fail_reason: "busy", outcome: "busy" }, at);
    expect(failed).toMatchObject({
      status: "failed",
      lifecycle: "finalized",
      failReason: "busy",
      outcome: "busy",
    });
    const done = statusEvent({ state: "ended", fail_reason: null, outcome: "answered" }, at);
    expect(done).toMatchObject({ status: "completed", outcome: "answered" });
    expect(done).not.toHaveProperty("failReason");
    for (const e of [ringing, failed, done]) expect(CallEventSchema.parse(e)).toEqual(e);
  });
});
