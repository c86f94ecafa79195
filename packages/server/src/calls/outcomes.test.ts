import { FAIL_REASONS, OUTCOMES } from "@clawcall/contract";
import { describe, expect, it } from "vitest";
import { type EndCause, finalOutcome } from "./outcomes.ts";
import { canTransition, isTerminal, lifecycleOf, statusOf } from "./states.ts";

const CAUSES: EndCause[] = [
  "normal",
  "busy",
  "no_answer",
  "rejected",
  "invalid_number",
  "unreachable",
  "network_error",
  "cancelled",
  "carrier_error",
  "dial_refused",
  "agent_unavailable",
  "balance_exhausted",
  "max_duration",
  "process_restart",
  "stuck",
];

describe("end causes → result fields", () => {
  it("maps every cause, answered or not, to values of the contract's enums", () => {
    for (const cause of CAUSES) {
      for (const answered of [false, true]) {
        const r = finalOutcome({ cause, source: "system", answered });
        expect(OUTCOMES).toContain(r.outcome);
        if (r.failReason !== null) expect(FAIL_REASONS).toContain(r.failReason);
        expect(r.detail.reason.message.length).toBeGreaterThan(10);
      }
    }
  });

  it("a call that never got a conversation is failed; an answered one completed unless the media dropped", () => {
    expect(finalOutcome({ cause: "busy", source: "callee", answered: false })).toMatchObject({
      failReason: "busy",
      outcome: "busy",
    });
    expect(finalOutcome({ cause: "rejected", source: "callee", answered: false }).failReason).toBe(
      "call_rejected",
    );
    expect(finalOutcome({ cause: "normal", source: "callee", answered: true })).toMatchObject({
      failReason: null,
      outcome: "answered",
    });
    expect(finalOutcome({ cause: "network_error", source: "unknown", answered: true }).failReason).toBe(
      "network_error",
    );
    expect(finalOutcome({ cause: "cancelled", source: "caller", answered: false }).failReason).toBe(
      "cancelled",
    );
  });

  it("names a normal end of an answered call as the later revision does, and keeps every other cause's name", () => {
    const sandbox = finalOutcome({ cause: "normal", source: "callee", answered: true });
    expect(sandbox.detail).toMatchObject({ hangup_cause: "normal_clearing", provider_error_code: null });
    expect(sandbox.detail.reason.code).toBe("answered");
    const limit = finalOutcome({ cause: "max_duration", source: "system", answered: true });
    expect(limit.detail).toMatchObject({ hangup_cause: "max_duration", reason: { code: "max_duration" } });
    const cancelled = finalOutcome({ cause: "cancelled", source: "caller", answered: false });
    expect(cancelled.detail.reason.code).toBe("cancelled");
  });

  it("keeps the carrier's own cause and SIP code", () => {
    const r = finalOutcome({
      cause: "busy",
      source: "callee",
      answered: false,
      carrierCause: "user_busy",
      sipCode: "486",
    });
    expect(r.detail).toMatchObject({
      hangup_cause: "user_busy",
      sip_hangup_cause: "486",
      hangup_source: "callee",
    });
  });
});

describe("the call state machine", () => {
  it("only moves forward and ends in one terminal state", () => {
    expect(canTransition("queued", "ringing")).toBe(true);
    expect(canTransition("queued", "in_progress")).toBe(true);
    expect(canTransition("in_progress", "ringing")).toBe(false);
    expect(canTransition("ended", "in_progress")).toBe(false);
    expect(isTerminal("ended")).toBe(true);
    expect(statusOf("ended", null)).toBe("completed");
    expect(statusOf("ended", "busy")).toBe("failed");
    expect(lifecycleOf("ringing")).toBe("dialing");
  });
});
