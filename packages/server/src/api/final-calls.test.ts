import { describe, expect, it } from "vitest";
import { completeView, rowView } from "../calls/call-view.ts";
import type { CallTable } from "../store/schema.ts";
import { FinalCalls, type RequestFields } from "./final-calls.ts";

const ended: CallTable = {
  id: "call-1",
  key_id: "key-1",
  wallet: "key:key-1",
  state: "ended",
  to_number: "+12125550101",
  from_number: "+12125550000",
  task: 'Ask about "hours" \u2028 and say \\ bye.',
  personality: null,
  greeting: null,
  voice: "alloy",
  has_bridge: 0,
  fail_reason: null,
  outcome: "answered",
  outcome_detail: JSON.stringify({ hangup_cause: "normal_clearing", hangup_source: "callee" }),
  talk_seconds: 12,
  queued_at: "2026-01-01T00:00:00.000Z",
  dialing_at: "2026-01-01T00:00:01.000Z",
  answered_at: "2026-01-01T00:00:03.000Z",
  finalized_at: "2026-01-01T00:00:15.000Z",
  last_seen_at: "2026-01-01T00:00:15.000Z",
  owner_node: "node-1",
  recording_url: "http://127.0.0.1/recordings/call-1.1767225615.wav?sig=x",
  recording_expires_at: "2026-01-01T00:10:15.000Z",
  meta: JSON.stringify({ sandbox: { verdict: "done" } }),
  result: JSON.stringify({ result: { summary: "Open until five." } }),
  placed_by: null,
  handoff: null,
  bridge_from: null,
};

const fields = (now: string, trial: RequestFields["standing"]["trial"]): RequestFields => ({
  transcript: [{ role: "user", text: "We close at five.", timestamp: "2026-01-01T00:00:05.000Z" }],
  balanceSeconds: 1188,
  standing: { unlimited: false, plan: null, trial },
  apiKey: "ck_test",
  now: new Date(now),
});

const ordinary = (row: CallTable, f: RequestFields, recordingMayFollow: boolean) =>
  JSON.stringify(completeView(rowView(row), row, { ...f, recordingMayFollow }));

describe("finished calls kept for polling", () => {
  it("serve the same text as the view, with each request's fields and the link only until it expires", () => {
    const kept = new FinalCalls(true);
    kept.note(ended);
    const row = kept.row(ended.id)!;
    expect(row).toBe(ended);
    for (const f of [
      fields("2026-01-01T00:01:00.000Z", { allowed: true, remainingSeconds: 1188, remainingCalls: null }),
      fields("2026-01-01T00:20:00.000Z", null),
    ]) {
      const body = kept.body(row, f);
      expect(body).toBe(ordinary(ended, f, true));
    }
    expect(JSON.parse(kept.body(row, fields("2026-01-01T00:20:00.000Z", null))!).recording_url).toBeNull();
  });

  it("keep only rows that can no longer change", () => {
    const kept = new FinalCalls(true);
    const live = { ...ended, id: "live", state: "in_progress" as const };
    // Answered, final, and the carrier may still send its recording link.
    const awaitingLink = { ...ended, id: "awaiting", recording_url: null, recording_expires_at: null };
    const unanswered = { ...awaitingLink, id: "unanswered", answered_at: null };
    for (const row of [live, awaitingLink, unanswered]) kept.note(row);
    expect(kept.row("live")).toBeUndefined();
    expect(kept.row("awaiting")).toBeUndefined();
    expect(kept.row("unanswered")).toBe(unanswered);
    const sandbox = new FinalCalls(false);
    sandbox.note(awaitingLink);
    expect(sandbox.row("awaiting")).toBe(awaitingLink);
  });

  it("serve a row whose own text spells a field's mark the ordinary way", () => {
    const kept = new FinalCalls(false);
    const odd = { ...ended, task: "\u0000clawcall-slot:api_key" };
    kept.note(odd);
    expect(kept.row(odd.id)).toBe(odd);
    expect(kept.body(odd, fields("2026-01-01T00:01:00.000Z", null))).toBeNull();
  });
});
