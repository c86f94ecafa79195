import type Telnyx from "telnyx";
import type { DialRequest } from "../carrier.ts";
import { encodeClientState } from "./client-state.ts";

export interface DialTargets {
  connectionId: string;
  webhookUrl: string;
  streamUrl: string;
  streamToken: string;
  answeringMachineDetection: AmdMode;
}

/**
 * `detect_beep`: Telnyx's standard detection, then the greeting's final beep. `premium`: its
 * speech-based detection (more accurate, billed extra), which reports the beep too.
 */
export type AmdMode = "detect_beep" | "premium" | "disabled";

/**
 * The Dial command for one call: webhooks and the media stream point at this node, media is PCMU 8 kHz
 * both ways in real-time (RTP) mode, and `command_id` makes a repeated dial of the same call a no-op.
 */
export function buildDialBody(request: DialRequest, t: DialTargets): Telnyx.Calls.CallDialParams {
  return {
    connection_id: t.connectionId,
    to: request.to,
    from: request.from,
    command_id: `dial:${request.callId}`,
    client_state: encodeClientState({ callId: request.callId, leg: "main" }),
    webhook_url: t.webhookUrl,
    webhook_url_method: "POST",
    // Telnyx accepts 5..600 s of ringing.
    timeout_secs: Math.min(600, Math.max(5, Math.round(request.ringTimeoutSeconds))),
    stream_url: t.streamUrl,
    stream_track: "both_tracks",
    stream_codec: "PCMU",
    stream_bidirectional_mode: "rtp",
    stream_bidirectional_codec: "PCMU",
    stream_bidirectional_sampling_rate: 8000,
    stream_auth_token: t.streamToken,
    ...(t.answeringMachineDetection !== "disabled"
      ? { answering_machine_detection: t.answeringMachineDetection }
      : {}),
    ...(request.record
      ? {
          record: "record-from-answer" as const,
          record_channels: "dual" as const,
          record_format: "mp3" as const,
        }
      : {}),
  };
}
