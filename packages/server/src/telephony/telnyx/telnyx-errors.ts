import { APIConnectionError, APIError } from "telnyx";

/** Telnyx's "Call has already ended" and "Invalid Call Control ID" codes: the leg is gone. */
const CALL_GONE_CODES = new Set(["90018", "90015"]);

export interface TelnyxErrorInfo {
  status: number | undefined;
  code: string | undefined;
  title: string | undefined;
}

export function telnyxErrorInfo(err: unknown): TelnyxErrorInfo {
  if (!(err instanceof APIError)) return { status: undefined, code: undefined, title: undefined };
  const body = err.error as
    | { errors?: Array<{ code?: unknown; title?: unknown; detail?: unknown }> }
    | undefined;
  const first = body?.errors?.[0];
  return {
    status: err.status,
    code: first?.code === undefined ? undefined : String(first.code),
    title: typeof first?.title === "string" ? first.title : undefined,
  };
}

/** A hang-up (or any command) on a leg that already ended: success for our purposes. */
export function isCallGone(err: unknown): boolean {
  const info = telnyxErrorInfo(err);
  if (info.status === 404) return true;
  return info.status === 422 && info.code !== undefined && CALL_GONE_CODES.has(info.code);
}

/**
 * Whether Telnyx may have placed the call despite the error: no response at all, or a server error.
 * Such a dial is never retried; the call is abandoned and hung up if a webhook reveals it exists.
 */
export function outcomeUnknown(err: unknown): boolean {
  if (err instanceof APIConnectionError) return true;
  const info = telnyxErrorInfo(err);
  return info.status === undefined || info.status >= 500;
}
