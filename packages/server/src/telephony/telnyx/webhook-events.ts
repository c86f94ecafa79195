import type { AnsweredBy } from "../carrier.ts";

/** The fields of a Call Control webhook this adapter reads; everything else is ignored. */
export interface TelnyxWebhook {
  id: string;
  eventType: string;
  occurredAt: string | undefined;
  callControlId: string | undefined;
  clientState: string | undefined;
  hangupCause: string | undefined;
  sipHangupCause: string | undefined;
  hangupSource: string | undefined;
  amdResult: string | undefined;
  recordingUrl: string | undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Parses a verified webhook body (`{data: {id, event_type, occurred_at, payload}}`); undefined if not one. */
export function parseTelnyxWebhook(body: unknown): TelnyxWebhook | undefined {
  const data = obj(obj(body)?.["data"]);
  const id = str(data?.["id"]);
  const eventType = str(data?.["event_type"]);
  if (!data || !id || !eventType) return undefined;
  const payload = obj(data["payload"]) ?? {};
  const urls = obj(payload["recording_urls"]) ?? obj(payload["public_recording_urls"]);
  return {
    id,
    eventType,
    occurredAt: str(data["occurred_at"]),
    callControlId: str(payload["call_control_id"]),
    clientState: str(payload["client_state"]),
    hangupCause: str(payload["hangup_cause"]),
    sipHangupCause: str(payload["sip_hangup_cause"]),
    hangupSource: str(payload["hangup_source"]),
    amdResult: str(payload["result"]),
    recordingUrl: str(urls?.["mp3"]) ?? str(urls?.["wav"]),
  };
}

/** Standard (`call.machine.detection.ended`) and premium detection results → the seam's answered-by. */
export function answeredByFromAmd(result: string | undefined): AnsweredBy {
  switch (result) {
    case "human":
    case "human_residence":
    case "human_business":
      return "human";
    case "machine":
    case "fax_detected":
      return "machine";
    default:
      return "unknown";
  }
}

/** Telnyx keeps `recording_urls` valid for 10 minutes from when it sends them. */
export const RECORDING_URL_TTL_MS = 10 * 60_000;

export function recordingExpiry(occurredAt: string | undefined, now: number): Date {
  const at = occurredAt ? Date.parse(occurredAt) : Number.NaN;
  const base = Number.isFinite(at) && at <= now ? at : now;
  return new Date(base + RECORDING_URL_TTL_MS);
}
