import type { CallView, Handoff, OutcomeDetail, Standing, TranscriptEntry, Voice } from "@clawcall/contract";
import type { CallTable } from "../store/schema.ts";
import type { CallReport } from "./call-result.ts";
import { isTerminal, lifecycleOf, statusOf } from "./states.ts";

/** What a view adds to the stored row for the request it answers. */
export interface ViewExtras {
  transcript: TranscriptEntry[] | null;
  balanceSeconds: number;
  standing: Standing;
  apiKey: string;
  /** The carrier sends recording links after the hang-up. */
  recordingMayFollow: boolean;
  now: Date;
}

/** Builds the GET /call/{id} body (both revisions' fields) from the stored row and the live transcript. */
export function toCallView(row: CallTable, extras: ViewExtras): CallView {
  return completeView(rowView(row), row, extras);
}

/**
 * The part of the view that comes from the row alone, with the request's fields left empty. A final
 * call's row no longer changes (but for its recording, see `completeView`), so this may be kept.
 */
export function rowView(row: CallTable): CallView {
  const failReason = row.fail_reason;
  const ended = isTerminal(row.state);
  const meta = row.meta ? (JSON.parse(row.meta) as Record<string, unknown>) : {};
  const view: CallView = {
    call_id: row.id,
    id: row.id,
    status: statusOf(row.state, failReason),
    lifecycle: lifecycleOf(row.state),
    to: row.to_number,
    numbers: { to: row.to_number, from: row.from_number, bridge_from: row.bridge_from },
    task: row.task,
    personality: row.personality,
    greeting: row.greeting,
    voice: row.voice as Voice,
    direction: "outbound",
    handling_mode: "agent",
    transcript: null,
    handoff: handoffOf(row, ended),
    recordingUrl: null,
    recording_url: null,
    talk_seconds: row.talk_seconds,
    timestamps: {
      queued_at: row.queued_at,
      dialing_at: row.dialing_at,
      answered_at: row.answered_at,
      finalized_at: row.finalized_at,
    },
    _meta: { ...meta, balance_seconds: 0 },
    api_key: "",
  };
  if (ended && failReason) view.failReason = failReason;
  if (ended && row.outcome) view.outcome = row.outcome;
  if (ended && row.result) {
    const report = JSON.parse(row.result) as CallReport;
    view.result = report.result;
    if (report.unavailable !== undefined) view.result_unavailable = report.unavailable;
  }
  if (ended && row.outcome_detail) {
    // Calls finalized before the field existed get it too, so every final call has the same shape.
    view.outcome_detail = { provider_error_code: null, ...(JSON.parse(row.outcome_detail) as OutcomeDetail) };
  }
  return view;
}

/**
 * The row's view with the request's fields: the transcript, the wallet's balance and standing, the key,
 * and the recording link while it has not expired (its expiry passes while the row stays the same).
 */
export function completeView(base: CallView, row: CallTable, extras: ViewExtras): CallView {
  const recording = recordingLink(row, extras.now);
  return {
    ...base,
    transcript: extras.transcript,
    recordingUrl: recording,
    recording_url: recording,
    _meta: {
      ...base._meta,
      balance_seconds: extras.balanceSeconds,
      ...extras.standing,
      recording_pending: extras.recordingMayFollow && recordingPending(row, extras.now),
    },
    api_key: extras.apiKey,
  };
}

/** The recording's link while it has not expired. */
export function recordingLink(row: CallTable, now: Date): string | null {
  return row.recording_url && row.recording_expires_at && Date.parse(row.recording_expires_at) > now.getTime()
    ? row.recording_url
    : null;
}

/**
 * Whether nothing about this row can change any more: it is final, and no recording link can still
 * arrive for it (the carrier sends none, the call was never answered, or its link is already here).
 */
export function isSettledRow(row: CallTable, recordingMayFollow: boolean): boolean {
  return (
    isTerminal(row.state) && (!recordingMayFollow || row.answered_at === null || row.recording_url !== null)
  );
}

/** The handoff as stored; one still ringing when the call ended never connected. */
function handoffOf(row: CallTable, ended: boolean): Handoff | null {
  if (row.handoff === null) return null;
  const handoff = JSON.parse(row.handoff) as Handoff;
  return ended && handoff.status === "ringing" ? { ...handoff, status: "failed" } : handoff;
}

/** How long after the end of an answered call its recording is still expected from the carrier. */
export const RECORDING_PENDING_MS = 30_000;

function recordingPending(row: CallTable, now: Date): boolean {
  if (!isTerminal(row.state) || row.answered_at === null || row.recording_url !== null) return false;
  const finalizedAt = row.finalized_at === null ? Number.NaN : Date.parse(row.finalized_at);
  return now.getTime() - finalizedAt < RECORDING_PENDING_MS;
}
