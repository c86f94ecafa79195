import type { AnsweredBy, BridgeResult } from "../carrier.ts";
import type { TelnyxMediaStream } from "./media-socket.ts";
import type { TelnyxWebhook } from "./webhook-events.ts";

/** What the adapter remembers about one call while it lives, and for a while after (late webhooks). */
export type CallPhase = "dialing" | "live" | "ended";

export interface PendingBridge {
  resolve(result: BridgeResult): void;
  timer: NodeJS.Timeout;
}

export interface CallRecord {
  callId: string;
  callControlId: string | undefined;
  phase: CallPhase;
  /** Dial failed with an unknown outcome, or hang-up was asked before we knew the leg: end it on sight. */
  hangupWanted: boolean;
  hangupSent: boolean;
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
  /** The machine-detection verdict was sent (with `answered` or after it). */
  verdictEmitted: boolean;
  ringingEmitted: boolean;
  media: TelnyxMediaStream | undefined;
  mediaEmitted: boolean;
  recordingEmitted: boolean;
  bridge: PendingBridge | undefined;
  seq: number;
  forgetTimer: NodeJS.Timeout | undefined;
}

export function newCallRecord(callId: string): CallRecord {
  return {
    callId,
    callControlId: undefined,
    phase: "dialing",
    hangupWanted: false,
    hangupSent: false,
    silenced: false,
    held: [],
    answered: false,
    answeredBy: "unknown",
    verdictEmitted: false,
    ringingEmitted: false,
    media: undefined,
    mediaEmitted: false,
    recordingEmitted: false,
    bridge: undefined,
    seq: 0,
    forgetTimer: undefined,
  };
}
