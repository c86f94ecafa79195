import type { BridgeResult } from "../carrier.ts";
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

/**
 * The handoff's result, once its leg's webhooks settle it; as unanswered if none does within the ring
 * time and a margin (a lost webhook must not leave the agent waiting).
 */
export function awaitBridge(rec: CallRecord, ringSeconds: number): Promise<BridgeResult> {
  return new Promise<BridgeResult>((resolve) => {
    const timer = setTimeout(
      () => settleBridge(rec, { ok: false, reason: "no_answer", message: "handoff was not answered" }),
      (ringSeconds + 15) * 1000,
    );
    timer.unref();
    rec.bridge = { resolve, timer };
  });
}
