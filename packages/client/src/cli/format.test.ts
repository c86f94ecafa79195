import { describe, expect, it } from "vitest";
import { ClawCallError } from "../sdk/errors.ts";
import { callView } from "../sdk/loopback-stub.test-helper.ts";
import { EXIT, exitCodeForCall, exitCodeForError } from "./exit-codes.ts";
import { formatCallReport, formatCallRow, formatDuration, formatError } from "./format.ts";
import { normalizePhone, withoutKey } from "./io.ts";

const done = callView({
  call_id: "c1",
  status: "completed",
  lifecycle: "finalized",
  outcome: "answered",
  talk_seconds: 75,
  transcript: [
    {
      role: "assistant",
      text: "Hi, this is Alex calling for Jordan Lee.",
      timestamp: "2026-03-04T17:00:01.000Z",
    },
    { role: "user", text: "Tuesday at 2:30 is confirmed.", timestamp: "2026-03-04T17:00:05.000Z" },
    {
      role: "tool",
      text: "",
      tool: "send_dtmf",
      toolArgs: { digits: "1" },
      timestamp: "2026-03-04T17:00:06.000Z",
    },
  ],
  recordingUrl: "http://127.0.0.1:8787/recordings/c1?sig=abc",
  _meta: { balance_seconds: 90 },
});

describe("the call report", () => {
  it("leads with the outcome and number, then transcript, recording and a low-balance note", () => {
    expect(formatCallReport(done).split("\n")).toEqual([
      "Completed: called +12125550100 (talk time 1 min 15 s).",
      "Call id: c1",
      "Transcript:",
      "  Agent: Hi, this is Alex calling for Jordan Lee.",
      "  Them: Tuesday at 2:30 is confirmed.",
      '  Action: send_dtmf {"digits":"1"}',
      "Recording (expires about 10 minutes after the call): http://127.0.0.1:8787/recordings/c1?sig=abc",
      "Note: You're running low on call minutes (1 min 30 s left).",
    ]);
  });

  it("leads with what came of the call, then its facts with their lines, what is missing and next steps", () => {
    const needsInfo = callView({
      ...done,
      result: {
        status: "needs_info",
        summary: "Needs information: I called +12125550100 and they asked for the date of birth.",
        facts: [{ text: "Tuesday at 2:30 is confirmed.", turns: [1] }],
        missing_info: ["date of birth"],
        next_steps: ["Ask the user for the date of birth, then call back."],
      },
    });
    expect(formatCallReport(needsInfo, { skipTranscript: true }).split("\n").slice(0, 9)).toEqual([
      "Needs information: I called +12125550100 and they asked for the date of birth.",
      "Completed: called +12125550100 (talk time 1 min 15 s).",
      "Learned:",
      "  - Tuesday at 2:30 is confirmed. (transcript line 2)",
      "Missing (ask the user before calling back):",
      "  - date of birth",
      "Next steps:",
      "  - Ask the user for the date of birth, then call back.",
      "Call id: c1",
    ]);
    const none = callView({ ...done, result: null, result_unavailable: "no language model is configured" });
    expect(formatCallReport(none).split("\n").slice(0, 2)).toEqual([
      "Completed: called +12125550100 (talk time 1 min 15 s).",
      "Result: none (no language model is configured).",
    ]);
  });

  it("has no low-balance note from 120 s up", () => {
    expect(formatCallReport({ ...done, _meta: { balance_seconds: 120 } })).not.toContain("running low");
  });

  it("tells failures in the skill's words, with the next step and any silent retry", () => {
    const busy = callView({ call_id: "c2", status: "failed", lifecycle: "finalized", failReason: "busy" });
    expect(formatCallReport(busy).split("\n").slice(0, 2)).toEqual([
      "Busy: called +12125550100. The line was busy.",
      "Next: Offer to retry in a moment.",
    ]);
    const dropped = callView({
      call_id: "c3",
      status: "failed",
      lifecycle: "finalized",
      failReason: "network_error",
    });
    expect(formatCallReport(dropped, { retried: [{ ...dropped, call_id: "c0" }] })).toContain(
      "(An earlier attempt, c0, ended with network_error; it was retried once.)",
    );
  });

  it("lists each call with its outcome, and a call the service failed never as a plain completion", () => {
    const failed = callView({
      call_id: "c4",
      status: "completed",
      lifecycle: "finalized",
      outcome: "system_error",
      talk_seconds: 1,
    });
    const busy = callView({ call_id: "c2", status: "failed", lifecycle: "finalized", failReason: "busy" });
    const rows = [done, failed, busy].map((c) => formatCallRow(c).split(/\s{2,}/));
    expect(rows.map((r) => [r[0], r[3], r[4]])).toEqual([
      ["c1", "completed/answered", "1 min 15 s"],
      ["c4", "completed/service error", "1 s"],
      ["c2", "failed/busy", "-"],
    ]);
  });

  it("formats durations for people", () => {
    expect([formatDuration(0), formatDuration(59), formatDuration(60), formatDuration(61)]).toEqual([
      "0 s",
      "59 s",
      "1 min",
      "1 min 1 s",
    ]);
  });
});

describe("errors", () => {
  it("prints both personal links of quota_exceeded verbatim", () => {
    const error = new ClawCallError({
      code: "quota_exceeded",
      status: 429,
      message: "Free minutes used up.",
      action: { type: "sign_up", url: "http://h/signup?token=k", sign_in_url: "http://h/signin?token=k" },
    });
    const text = formatError(error);
    expect(text).toContain("Sign up: http://h/signup?token=k");
    expect(text).toContain("Sign in: http://h/signin?token=k");
    expect(exitCodeForError(error)).toBe(EXIT.quota);
  });

  it("gives each failure class its own exit code", () => {
    const codes = (
      ["busy", "no_answer", "call_rejected", "invalid_number", "network_error", "cancelled"] as const
    ).map((failReason) =>
      exitCodeForCall(callView({ call_id: "x", status: "failed", lifecycle: "finalized", failReason })),
    );
    expect(codes).toEqual([
      EXIT.busy,
      EXIT.no_answer,
      EXIT.rejected,
      EXIT.bad_number,
      EXIT.transient_call_failure,
      EXIT.cancelled,
    ]);
    expect(exitCodeForCall(done)).toBe(EXIT.ok);
    expect(exitCodeForCall({ ...done, outcome: "system_error" })).toBe(EXIT.system_error);
    expect(exitCodeForError(new Error("x"))).toBe(EXIT.unexpected);
    expect(exitCodeForError(new ClawCallError({ code: "connection_error", message: "" }))).toBe(
      EXIT.unavailable,
    );
    expect(exitCodeForError(new ClawCallError({ code: "invalid_api_key", message: "" }))).toBe(EXIT.auth);
    expect(exitCodeForError(new ClawCallError({ code: "number_pool_exhausted", message: "" }))).toBe(
      EXIT.throttled,
    );
  });
});

describe("input and output hygiene", () => {
  it("normalizes the ways people write US numbers", () => {
    expect(normalizePhone("(212) 555-0101")).toBe("+12125550101");
    expect(normalizePhone("1 212 555 0101")).toBe("+12125550101");
    expect(normalizePhone("+1 212.555.0101")).toBe("+12125550101");
    expect(normalizePhone("+44 20 7946 0958")).toBe("+442079460958");
  });

  it("strips api_key at any depth", () => {
    expect(withoutKey({ api_key: "k", call: { api_key: "k", to: "+1" }, list: [{ api_key: "k" }] })).toEqual({
      call: { to: "+1" },
      list: [{}],
    });
  });
});
