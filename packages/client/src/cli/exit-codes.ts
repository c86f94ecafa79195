import type { CallView } from "@clawcall/contract";
import { ClawCallError } from "../sdk/errors.ts";

/**
 * One exit code per failure class, so a script can tell "the line was busy" from "out of minutes" from
 * "the service is down" without parsing text. Documented in README.md and `clawcall --help`.
 */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  auth: 3,
  quota: 4,
  throttled: 5,
  unavailable: 6,
  not_found: 7,
  declined: 8,
  busy: 10,
  no_answer: 11,
  rejected: 12,
  bad_number: 13,
  transient_call_failure: 14,
  cancelled: 15,
  system_error: 16,
  interrupted: 130,
} as const;

export const EXIT_CODE_HELP = `Exit codes:
  0   done (a call that was answered and completed)
  1   unexpected error
  2   usage: bad flags or a request the service refused (invalid_phone, missing_fields, ...)
  3   API key refused (invalid_api_key, auth_required) or none yet
  4   out of minutes (quota_exceeded, balance_depleted): send the user the printed link
  5   try later (rate_limited, too_many_active_calls, number_pool_exhausted)
  6   service unreachable, timed out or failing (connection_error, request_timeout, 5xx, dial_failed)
  7   no such call (not_found) or no recording (recording_not_available)
  8   not called: you answered no to the business-hours warning
  10  the line was busy          11  no one answered         12  the call was declined
  13  invalid or unreachable number                         14  dial_failed/network_error twice
  15  cancelled (hung up before answer)                     16  the service failed during the call`;

export function exitCodeForError(error: unknown): number {
  if (!(error instanceof ClawCallError)) return EXIT.unexpected;
  switch (error.code) {
    case "invalid_json":
    case "missing_fields":
    case "invalid_phone":
    case "invalid_voice":
    case "invalid_request":
    case "unsupported_destination":
    case "payload_too_large":
    case "email_taken":
    case "invalid_credentials":
      return EXIT.usage;
    case "auth_required":
    case "invalid_api_key":
    case "no_api_key":
      return EXIT.auth;
    case "quota_exceeded":
    case "balance_depleted":
      return EXIT.quota;
    case "rate_limited":
    case "too_many_active_calls":
    case "number_pool_exhausted":
      return EXIT.throttled;
    case "not_found":
    case "recording_not_available":
      return EXIT.not_found;
    case "connection_error":
    case "request_timeout":
    case "invalid_response":
    case "internal_error":
    case "service_unavailable":
    case "dial_failed":
      return EXIT.unavailable;
    default:
      return EXIT.unexpected;
  }
}

/** The exit code of a finished call: 0 only when it was answered and no system failure ended it. */
export function exitCodeForCall(call: CallView): number {
  if (call.outcome === "system_error") return EXIT.system_error;
  if (call.status === "completed") return EXIT.ok;
  switch (call.failReason) {
    case "busy":
      return EXIT.busy;
    case "no_answer":
      return EXIT.no_answer;
    case "call_rejected":
      return EXIT.rejected;
    case "invalid_number":
    case "unreachable":
      return EXIT.bad_number;
    case "dial_failed":
    case "network_error":
      return EXIT.transient_call_failure;
    case "cancelled":
      return EXIT.cancelled;
    default:
      return call.status === "failed" ? EXIT.system_error : EXIT.ok;
  }
}
