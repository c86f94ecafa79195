import { type CallRecord, settleBridge } from "./call-record.ts";
import { normalizeHangup } from "./hangup-causes.ts";
import type { TelnyxWebhook } from "./webhook-events.ts";

/** Applies a webhook of the handoff's own leg (the user being rung) to the pending handoff. */
export function applyBridgeLeg(rec: CallRecord, event: TelnyxWebhook): boolean {
  if (!rec.bridge) return false;
  if (event.eventType === "call.bridged") {
    settleBridge(rec, { ok: true });
    return true;
  }
  if (event.eventType !== "call.hangup") return false;
  const { cause } = normalizeHangup({
    hangupCause: event.hangupCause,
    sipHangupCause: event.sipHangupCause,
    hangupSource: event.hangupSource,
    answered: false,
  });
  const reason = cause === "busy" || cause === "no_answer" || cause === "rejected" ? cause : "failed";
  settleBridge(rec, {
    ok: false,
    reason,
    message: `handoff ended: ${event.hangupCause ?? "unspecified"}`,
  });
  return true;
}
