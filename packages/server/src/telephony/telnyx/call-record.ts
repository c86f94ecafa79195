import type { AnsweredBy, BridgeResult } from "../carrier.ts";
import type { TelnyxMediaStream } from "./media-socket.ts";
import type { TelnyxWebhook } from "./webhook-events.ts";

/** What the adapter remembers about one call while it lives, and for a while after (late webhooks). */
export type CallPhase = "dialing" | "live" | "ended";

/** Whether the service asked for the call to end, and whether Telnyx was told. Only moves forward. */
export type HangupRequest = "not_asked" | "wanted" | "sent";

/** Events the service is told at most once per call (the answer and the hang-up follow the phase). */
export type ToldOnce = "ringing" | "verdict" | "media" | "media_failed" | "recording";

export interface PendingBridge {
  resolve(result: BridgeResult): void;
  timer: NodeJS.Timeout;
}

export interface CallRecord {
  callId: string;
  callControlId: string | undefined;
  phase: CallPhase;
  /**
   * `wanted` also when the dial failed with an unknown outcome, or hang-up was asked before we knew the
   * leg: end it on sight. Back to `wanted` if sending failed.
   */
  hangup: HangupRequest;
  /** The service was told the dial failed: it must hear nothing more about this call. */
  silenced: boolean;
  /**
   * Webhooks that arrived while the dial request was still in flight. Telnyx may send call.initiated before it
   * answers the dial; the service hears of them only once the dial is confirmed, and never if it failed.
   * Undefined once the dial has resolved.
   */
  held: TelnyxWebhook[] | undefined;
  /** Answered, and the service told so. */
  answered: boolean;
  answeredBy: AnsweredBy;
  /** What the service was told already; `verdict` also when it went with `answered`. */
  told: Set<ToldOnce>;
  media: TelnyxMediaStream | undefined;
  bridge: PendingBridge | undefined;
  seq: number;
  forgetTimer: NodeJS.Timeout | undefined;
}

export function newCallRecord(callId: string): CallRecord {
  return {
    callId,
    callControlId: undefined,
    phase: "dialing",
    hangup: "not_asked",
    silenced: false,
    held: [],
    answered: false,
    answeredBy: "unknown",
    told: new Set(),
    media: undefined,
    bridge: undefined,
    seq: 0,
    forgetTimer: undefined,
  };
}

/** Ends a pending handoff with its result; nothing when none is pending. */
export function settleBridge(rec: CallRecord, result: BridgeResult): void {
  const pending = rec.bridge;
  if (!pending) return;
  rec.bridge = undefined;
  clearTimeout(pending.timer);
  pending.resolve(result);
}

/** Asks for the call to end; a request already sent stays sent. */
export function wantHangup(rec: CallRecord): void {
  if (rec.hangup === "not_asked") rec.hangup = "wanted";
}

/** Ends holding back webhooks (the dial has resolved) and returns those held so far, in arrival order. */
export function releaseHeld(rec: CallRecord): TelnyxWebhook[] {
  const held = rec.held ?? [];
  rec.held = undefined;
  return held;
}
