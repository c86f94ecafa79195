/** The sandbox's magic lines (spec/sandbox.md): any area code, line 555-01XX. */
export type Scenario =
  | "answer"
  | "busy"
  | "no_answer"
  | "rejected"
  | "invalid"
  | "unreachable"
  | "dial_refused"
  | "drop"
  | "voicemail"
  | "bridge_no_answer";

export function lineOf(number: string): string | undefined {
  const m = /^\+1\d{3}5550(1\d\d)$/.exec(number);
  return m ? `0${m[1]}` : undefined;
}

export function scenarioFor(number: string): Scenario {
  switch (lineOf(number)) {
    case "0101":
      return "busy";
    case "0102":
      return "no_answer";
    case "0103":
      return "rejected";
    case "0104":
      return "invalid";
    case "0105":
      return "unreachable";
    case "0106":
      return "dial_refused";
    case "0107":
      return "drop";
    case "0108":
      return "voicemail";
    case "0117":
      return "bridge_no_answer";
    default:
      return "answer";
  }
}

/** How Telnyx reports each failure before answer: hangup_cause, SIP code, hangup_source. */
export const FAILURE_HANGUPS = {
  busy: { cause: "user_busy", sip: "486", source: "callee" },
  rejected: { cause: "call_rejected", sip: "603", source: "callee" },
  invalid: { cause: "not_found", sip: "404", source: "unknown" },
  unreachable: { cause: "unspecified", sip: "410", source: "unknown" },
  no_answer: { cause: "timeout", sip: "487", source: "unknown" },
  channel_limit: { cause: "unspecified", sip: "403", source: "unknown" },
} as const;
