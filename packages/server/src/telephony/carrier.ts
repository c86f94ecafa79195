// Room telephony/: the Carrier seam and its adapters (telnyx/); vendor quirks stay inside the adapter.
import type { SandboxReport, Voice } from "@clawcall/contract";
import type { MediaStream } from "../media/media-stream.ts";

/**
 * The carrier seam. Vendor quirks (webhook formats, signatures, hang-up causes) stay inside each
 * adapter; the rest of the service sees only these normalized requests and events.
 */
export interface DialRequest {
  callId: string;
  to: string;
  from: string;
  /** How long to let it ring before giving up as no answer. */
  ringTimeoutSeconds: number;
  /** Start recording both sides from answer. */
  record: boolean;
}

/** Normalized reasons a call leg ended. */
export type HangupCause =
  | "normal" // answered, then someone hung up
  | "busy"
  | "no_answer"
  | "rejected"
  | "invalid_number"
  | "unreachable"
  | "network_error"
  | "cancelled" // we hung up before answer
  | "carrier_error";

export type HangupSource = "caller" | "callee" | "system" | "unknown";
export type AnsweredBy = "human" | "machine" | "unknown";

export type CarrierEvent =
  | { type: "ringing"; callId: string }
  | { type: "answered"; callId: string; answeredBy: AnsweredBy }
  /**
   * Machine detection finished after `answered` was sent (carriers take seconds to decide, and the agent
   * must not keep a person waiting for it). At most once per call.
   */
  | { type: "answered_by"; callId: string; answeredBy: AnsweredBy }
  /** The carrier heard the final beep of a voicemail greeting: the machine is recording now. */
  | { type: "beep"; callId: string }
  | { type: "media"; callId: string; stream: MediaStream }
  /**
   * The carrier could not bring up the media path of an answered call (it never connected to us): the
   * call is live but nobody can be heard or spoken to.
   */
  | { type: "media_failed"; callId: string }
  | { type: "recording"; callId: string; url: string; expiresAt: Date }
  /**
   * The sandbox's own account of an answered call (what its scripted callee did), sent before the
   * hang-up; kept under the call's `_meta.sandbox` for tests and the evaluation. Real carriers never send it.
   */
  | { type: "sandbox_report"; callId: string; report: SandboxReport }
  | {
      type: "hangup";
      callId: string;
      cause: HangupCause;
      source: HangupSource;
      /** The vendor's own cause and SIP code, kept for outcome_detail. */
      carrierCause?: string;
      sipCode?: string;
    };

export type BridgeResult =
  | { ok: true }
  | { ok: false; reason: "no_answer" | "busy" | "rejected" | "failed"; message: string };

export interface BridgeOptions {
  greeting?: string;
  /** The voice the greeting is said in: the call's own. */
  voice?: Voice;
}

export class DialRefusedError extends Error {
  constructor(
    message: string,
    readonly carrierCode?: string,
  ) {
    super(message);
    this.name = "DialRefusedError";
  }
}

export interface Carrier {
  readonly name: string;
  /** Recording links come after the hang-up event, so a call that just ended may still get one. */
  readonly recordingsFollowHangup: boolean;
  /** Places the call. Resolves once the carrier accepted it; throws DialRefusedError if it refused. */
  dial(request: DialRequest): Promise<void>;
  /** Ends the call. Never throws for a call that already ended. */
  hangup(callId: string): Promise<void>;
  /** Sends keypad digits out of band. `w` in the string is a half-second pause. */
  sendDigits(callId: string, digits: string): Promise<void>;
  /**
   * Rings `to` and joins it with the call; the agent's media leg leaves once joined. A `greeting` is said
   * to whoever picks up, before they are joined (the later revision's `warm_greeting`).
   */
  bridge(callId: string, to: string, from: string, options?: BridgeOptions): Promise<BridgeResult>;
  /** One listener receives every event; the call service installs it before dialling. */
  onEvent(listener: (event: CarrierEvent) => void): void;
  close(): Promise<void>;
}
