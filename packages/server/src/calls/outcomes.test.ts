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
  "agent_ended",
  "callee_hung_up",
  "voicemail_left",
  "silent_line",
  "handoff_completed",
  "agent_failed",
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
    const plain = finalOutcome({ cause: "normal", source: "caller", answered: true });
    expect(plain.detail).toMatchObject({ hangup_cause: "normal_clearing", provider_error_code: null });
    expect(plain.detail.reason.code).toBe("answered");
    const limit = finalOutcome({ cause: "max_duration", source: "system", answered: true });
    expect(limit.detail).toMatchObject({ hangup_cause: "max_duration", reason: { code: "max_duration" } });
    const cancelled = finalOutcome({ cause: "cancelled", source: "caller", answered: false });
    expect(cancelled.detail.reason.code).toBe("cancelled");
  });

  it("gives each way an answered call ends its own code, normal clearing where the line was hung up", () => {
    const ends = [
      { info: { cause: "normal", source: "callee" }, code: "callee_hung_up", outcome: "answered" },
      { info: { cause: "agent_ended", source: "caller", message: "task done" }, code: "agent_ended" },
      { info: { cause: "voicemail_left", source: "caller" }, code: "voicemail_left" },
      { info: { cause: "silent_line", source: "caller" }, code: "silent_line" },
      { info: { cause: "handoff_completed", source: "callee" }, code: "handoff_completed" },
      { info: { cause: "agent_failed", source: "system" }, code: "agent_failed", outcome: "system_error" },
    ] as const;
    for (const { info, code, ...rest } of ends) {
      const r = finalOutcome({ ...info, answered: true });
      expect(r.detail.reason.code).toBe(code);
      expect(r.detail.hangup_cause).toBe("normal_clearing");
      expect(r.outcome).toBe("outcome" in rest ? rest.outcome : "answered");
      expect(r.failReason).toBeNull();
    }
    expect(
      finalOutcome({ cause: "agent_ended", source: "caller", answered: true, message: "task done" }).detail
        .reason.message,
    ).toBe("task done");
    // The limits that end a call keep their own names, as before; the length limit is its own row.
    const limit = finalOutcome({ cause: "max_duration", source: "system", answered: true });
    expect(limit).toMatchObject({
      outcome: "answered",
      detail: { reason: { title: "Maximum call length" } },
    });
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
