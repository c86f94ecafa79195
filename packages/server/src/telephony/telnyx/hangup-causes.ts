import type { HangupCause, HangupSource } from "../carrier.ts";

/**
 * The one table that turns Telnyx's `hangup_cause` + `sip_hangup_cause` + "was it answered" into the
 * carrier seam's normalized cause. Rows are tried in order; the first match wins, so specific SIP codes
 * sit above the generic cause rows. Telnyx's documented causes are few and coarse (`unspecified` covers
 * most network failures), which is why the SIP code decides whenever it is more precise.
 */
export interface HangupRow {
  /** Telnyx `hangup_cause`, or "*" for any. */
  cause: string;
  /** Whether the call had been answered; undefined matches both. */
  answered?: boolean;
  /** SIP response codes (as Telnyx sends them, strings); undefined matches any. */
  sip?: readonly string[];
  result: HangupCause;
  /** Overrides Telnyx's hangup_source, for causes that are the network's own doing. */
  source?: HangupSource;
}

const INVALID_SIP = ["404", "484", "604"] as const;
const UNREACHABLE_SIP = ["410", "480", "502", "503", "504"] as const;
const BUSY_SIP = ["486", "600"] as const;
const NO_ANSWER_SIP = ["408", "487"] as const;
// 403 before answer is the carrier refusing us (channel limit "D1", caller id "D35"), not the callee.
const REFUSED_SIP = ["401", "403", "407"] as const;

export const HANGUP_TABLE: readonly HangupRow[] = [
  // Answered calls: someone hung up after talking, unless the network tore the call down.
  { cause: "time_limit", answered: true, result: "normal", source: "system" },
  { cause: "unspecified", answered: true, sip: ["500", "502", "503", "504"], result: "network_error" },
  { cause: "*", answered: true, result: "normal" },

  // Unanswered: the SIP code is the most precise signal when it is one we know.
  { cause: "originator_cancel", answered: false, result: "cancelled", source: "caller" },
  { cause: "*", answered: false, sip: REFUSED_SIP, result: "carrier_error", source: "system" },
  { cause: "*", answered: false, sip: INVALID_SIP, result: "invalid_number", source: "system" },
  { cause: "*", answered: false, sip: BUSY_SIP, result: "busy", source: "callee" },
  { cause: "call_rejected", answered: false, result: "rejected", source: "callee" },
  { cause: "user_busy", answered: false, result: "busy", source: "callee" },
  { cause: "not_found", answered: false, result: "invalid_number", source: "system" },
  { cause: "no_answer", answered: false, result: "no_answer" },
  { cause: "timeout", answered: false, result: "no_answer", source: "system" },
  { cause: "time_limit", answered: false, result: "no_answer", source: "system" },
  // SIP 200 means it was answered: the hang-up overtook its own call.answered webhook.
  { cause: "normal_clearing", answered: false, sip: ["200"], result: "normal" },
  { cause: "normal_clearing", answered: false, result: "no_answer" },
  { cause: "unspecified", answered: false, sip: ["603"], result: "rejected", source: "callee" },
  { cause: "unspecified", answered: false, sip: UNREACHABLE_SIP, result: "unreachable", source: "system" },
  { cause: "unspecified", answered: false, sip: NO_ANSWER_SIP, result: "no_answer", source: "system" },
  { cause: "*", answered: false, result: "carrier_error", source: "system" },
];

export interface TelnyxHangup {
  hangupCause: string | undefined;
  sipHangupCause: string | undefined;
  hangupSource: string | undefined;
  answered: boolean;
}

export interface NormalizedHangup {
  cause: HangupCause;
  source: HangupSource;
}

function telnyxSource(value: string | undefined): HangupSource {
  // From an outbound call's point of view Telnyx's "caller" is this service.
  if (value === "caller" || value === "callee") return value;
  return "unknown";
}

export function normalizeHangup(h: TelnyxHangup): NormalizedHangup {
  const cause = h.hangupCause ?? "unspecified";
  const sip = h.sipHangupCause;
  for (const row of HANGUP_TABLE) {
    if (row.cause !== "*" && row.cause !== cause) continue;
    if (row.answered !== undefined && row.answered !== h.answered) continue;
    if (row.sip && (sip === undefined || !row.sip.includes(sip))) continue;
    const reported = telnyxSource(h.hangupSource);
    // Telnyx knows best who hung up an answered call; for failures the row's source is more honest.
    const source = h.answered
      ? (row.source ?? reported)
      : reported !== "unknown"
        ? reported
        : (row.source ?? reported);
    return { cause: row.result, source };
  }
  return { cause: "carrier_error", source: "unknown" };
}
