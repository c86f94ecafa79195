import type { FailReason, Outcome, OutcomeDetail } from "@clawcall/contract";
import type { HangupCause, HangupSource } from "../telephony/carrier.ts";

/**
 * How an answered call's conversation ended, as the conversation reports it. Each is its own
 * `reason.code`, so a client can tell a finished task from a silent line or a failed agent.
 */
export type ConversationEndCause =
  | "agent_ended"
  | "callee_hung_up"
  | "voicemail_left"
  | "silent_line"
  | "handoff_completed"
  | "agent_failed";

/** Why a call ended, as the call service sees it: a carrier cause, or one of the service's own. */
export type EndCause =
  | HangupCause
  | ConversationEndCause
  | "dial_refused"
  | "agent_unavailable"
  | "balance_exhausted"
  | "max_duration"
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
  /** The line was hung up in the ordinary way (by either side), which the carrier calls normal clearing. */
  clearing?: boolean;
}

const ANSWERED_OK: Row = {
  failReason: null,
  outcome: "answered",
  title: "Call completed",
  message: "The call was answered and then ended.",
  retryable: false,
  clearing: true,
};

/** The one table from an end cause to both revisions' result fields, for calls never answered. */
const UNANSWERED: Record<Exclude<EndCause, ConversationEndCause>, Row> = {
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

/**
 * After an answer the call is `completed` unless the media path or the service failed under it; each way
 * a conversation ends has its own row, so its code says how the call went.
 */
const ANSWERED: Partial<Record<EndCause, Row>> = {
  agent_ended: {
    failReason: null,
    outcome: "answered",
    title: "Ended by the agent",
    message: "The agent ended the call.",
    retryable: false,
    clearing: true,
  },
  callee_hung_up: {
    failReason: null,
    outcome: "answered",
    title: "The other party hung up",
    message: "The person or system called hung up.",
    retryable: false,
    clearing: true,
  },
  voicemail_left: {
    failReason: null,
    outcome: "answered",
    title: "Voicemail left",
    message: "The call reached voicemail and the agent left a message.",
    retryable: false,
    clearing: true,
  },
  silent_line: {
    failReason: null,
    outcome: "answered",
    title: "Silent line",
    message: "Nobody spoke on the line, so the agent ended the call.",
    retryable: true,
    clearing: true,
  },
  handoff_completed: {
    failReason: null,
    outcome: "answered",
    title: "Handoff completed",
    message: "The user was connected to the other party; the call ended when one of them hung up.",
    retryable: false,
    clearing: true,
  },
  // The service failed the call, so it is not charged (settlement) and never reads as a normal end.
  agent_failed: {
    failReason: null,
    outcome: "system_error",
    title: "Agent failed",
    message: "The voice agent failed during the call, so it ended the call politely.",
    retryable: true,
    clearing: true,
  },
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
  const cause = specificCause(info);
  const row = info.answered ? (ANSWERED[cause] ?? ANSWERED_OK) : unansweredRow(cause);
  const normalEnd = info.answered && cause === "normal";
  return {
    failReason: row.failReason,
    outcome: row.outcome,
    detail: {
      // The later revision's names for a call answered and hung up in the ordinary way: cause
      // `normal_clearing`, reason `answered`. The specific codes win for the reason; the hang-up cause
      // stays the carrier's word for how the line was cleared. Every other end keeps its cause's name.
      hangup_cause: info.carrierCause ?? (info.answered && row.clearing ? "normal_clearing" : cause),
      sip_hangup_cause: info.sipCode ?? null,
      hangup_source: info.source,
      provider_error_code: null,
      reason: {
        code: normalEnd ? "answered" : cause,
        title: row.title,
        message: info.message ?? row.message,
        retryable: row.retryable,
      },
    },
  };
}

/** A carrier's plain hang-up by the far end of an answered call is the callee hanging up. */
function specificCause(info: EndInfo): EndCause {
  return info.answered && info.cause === "normal" && info.source === "callee" ? "callee_hung_up" : info.cause;
}

/** A conversation cannot end a call nobody answered; should one arrive, it reads as ended before answer. */
function unansweredRow(cause: EndCause): Row {
  return cause in UNANSWERED ? UNANSWERED[cause as keyof typeof UNANSWERED] : UNANSWERED.normal;
}
