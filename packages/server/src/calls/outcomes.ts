import type { FailReason, Outcome, OutcomeDetail } from "@clawcall/contract";
import type { HangupCause, HangupSource } from "../telephony/carrier.ts";

/** Why a call ended, as the call service sees it: a carrier cause, or one of the service's own. */
export type EndCause =
  | HangupCause
  | "dial_refused"
  | "agent_unavailable"
  | "balance_exhausted"
  | "max_duration"
  /** The user was connected by a handoff; then a party hung up. */
  | "handoff_completed"
  | "process_restart"
  | "stuck";

export interface EndInfo {
  cause: EndCause;
  source: HangupSource;
  answered: boolean;
  carrierCause?: string;
  sipCode?: string;
  /** Plain words for outcome_detail.reason.message when the default text is not specific enough. */
  message?: string;
}

export interface FinalOutcome {
  failReason: FailReason | null;
  outcome: Outcome;
  detail: OutcomeDetail;
}

interface Row {
  failReason: FailReason | null;
  outcome: Outcome;
  title: string;
  message: string;
  retryable: boolean;
}

const ANSWERED_OK: Row = {
  failReason: null,
  outcome: "answered",
  title: "Call completed",
  message: "The call was answered and then ended.",
  retryable: false,
};

/** The one table from an end cause to both revisions' result fields, for calls never answered. */
const UNANSWERED: Record<EndCause, Row> = {
  normal: {
    failReason: "no_answer",
    outcome: "no_answer",
    title: "No answer",
    message: "The call ended before anyone answered.",
    retryable: false,
  },
  no_answer: {
    failReason: "no_answer",
    outcome: "no_answer",
    title: "No answer",
    message: "The phone rang but nobody picked up.",
    retryable: false,
  },
  busy: {
    failReason: "busy",
    outcome: "busy",
    title: "Busy",
    message: "The line was busy.",
    retryable: false,
  },
  rejected: {
    failReason: "call_rejected",
    outcome: "rejected",
    title: "Call declined",
    message: "The person called declined the call.",
    retryable: false,
  },
  invalid_number: {
    failReason: "invalid_number",
    outcome: "invalid_number",
    title: "Invalid number",
    message: "The number does not exist.",
    retryable: false,
  },
  unreachable: {
    failReason: "unreachable",
    outcome: "unreachable",
    title: "Out of service",
    message: "The number is out of service or cannot be reached.",
    retryable: false,
  },
  network_error: {
    failReason: "network_error",
    outcome: "network_error",
    title: "Network error",
    message: "The call failed in the phone network.",
    retryable: true,
  },
  carrier_error: {
    failReason: "network_error",
    outcome: "failed",
    title: "Carrier error",
    message: "The carrier could not complete the call.",
    retryable: true,
  },
  cancelled: {
    failReason: "cancelled",
    outcome: "cancelled",
    title: "Cancelled",
    message: "The call was cancelled before it was answered.",
    retryable: false,
  },
  dial_refused: {
    failReason: "dial_failed",
    outcome: "failed",
    title: "Dial refused",
    message: "The carrier refused to place the call.",
    retryable: true,
  },
  agent_unavailable: {
    failReason: "network_error",
    outcome: "system_error",
    title: "Agent unavailable",
    message: "The voice agent is not available.",
    retryable: false,
  },
  balance_exhausted: {
    failReason: "cancelled",
    outcome: "cancelled",
    title: "Balance exhausted",
    message: "The call was stopped because the balance ran out before it was answered.",
    retryable: false,
  },
  max_duration: {
    failReason: "no_answer",
    outcome: "no_answer",
    title: "No answer",
    message: "The call was not answered within its time limit.",
    retryable: false,
  },
  // Only an answered call can be handed off; listed for completeness.
  handoff_completed: {
    failReason: "no_answer",
    outcome: "no_answer",
    title: "No answer",
    message: "The call ended before anyone answered.",
    retryable: false,
  },
  process_restart: {
    failReason: "network_error",
    outcome: "network_error",
    title: "Service restarted",
    message: "The service restarted while the call was being placed; the call was ended.",
    retryable: true,
  },
  stuck: {
    failReason: "network_error",
    outcome: "system_error",
    title: "Call timed out",
    message: "The call stopped progressing and was ended by the service.",
    retryable: true,
  },
};

/** After an answer the call is `completed` unless the media path failed under it. */
const ANSWERED: Partial<Record<EndCause, Row>> = {
  network_error: {
    failReason: "network_error",
    outcome: "network_error",
    title: "Call dropped",
    message: "The media path dropped during the call.",
    retryable: true,
  },
  process_restart: {
    failReason: "network_error",
    outcome: "network_error",
    title: "Service restarted",
    message: "The service restarted during the call; the call was ended and its talk time settled.",
    retryable: true,
  },
  agent_unavailable: {
    failReason: null,
    outcome: "system_error",
    title: "Agent unavailable",
    message: "The call was answered but the voice agent is not available, so the call was ended at once.",
    retryable: false,
  },
  balance_exhausted: {
    failReason: null,
    outcome: "answered",
    title: "Balance exhausted",
    message: "The call was ended because the balance ran out.",
    retryable: false,
  },
  max_duration: {
    failReason: null,
    outcome: "answered",
    title: "Maximum call length",
    message: "The call was ended at the maximum call length.",
    retryable: false,
  },
  handoff_completed: {
    failReason: null,
    outcome: "answered",
    title: "Handoff completed",
    message: "The user was connected to the other party, and the call ended when one of them hung up.",
    retryable: false,
  },
  stuck: {
    failReason: null,
    outcome: "system_error",
    title: "Call timed out",
    message: "The call stopped progressing and was ended by the service.",
    retryable: false,
  },
  carrier_error: {
    failReason: null,
    outcome: "system_error",
    title: "Carrier error",
    message: "The carrier ended the call with an error.",
    retryable: false,
  },
};

export function finalOutcome(info: EndInfo): FinalOutcome {
  const row = info.answered ? (ANSWERED[info.cause] ?? ANSWERED_OK) : UNANSWERED[info.cause];
  const normalEnd = info.answered && info.cause === "normal";
  return {
    failReason: row.failReason,
    outcome: row.outcome,
    detail: {
      // The later revision's names for a call answered and ended normally: cause `normal_clearing`,
      // reason `answered`. Every other end keeps the name of its own cause.
      hangup_cause: info.carrierCause ?? (normalEnd ? "normal_clearing" : info.cause),
      sip_hangup_cause: info.sipCode ?? null,
      hangup_source: info.source,
      provider_error_code: null,
      reason: {
        code: normalEnd ? "answered" : info.cause,
        title: row.title,
        message: info.message ?? row.message,
        retryable: row.retryable,
      },
    },
  };
}
