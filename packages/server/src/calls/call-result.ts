import type { CallEvent, CallResult, FailReason, OutcomeReason } from "@clawcall/contract";
import type { FinalOutcome } from "./outcomes.ts";

/**
 * What came of a call as it is kept with the call: the result, or null with the plain reason there is
 * none (no model to judge the conversation, the agent failed, the call was cut off before it began).
 */
export interface CallReport {
  result: CallResult | null;
  unavailable?: string;
}

/** What to do after a call nobody answered, by its failReason (the skill's table). */
const NEXT_STEPS: Partial<Record<FailReason, string>> = {
  no_answer: "Offer to try again, or ask if there is a better time to call.",
  busy: "Offer to retry in a moment.",
  call_rejected: "They may screen unknown numbers: suggest the user calls directly, or try a live handoff.",
  invalid_number: "Ask the user to double-check the number; do not retry.",
  unreachable: "Ask the user to verify the number; do not retry.",
  dial_failed: "Retry once; if it fails again, tell the user.",
  network_error: "Retry once; if it fails again, tell the user.",
};

/** The result of a call that never connected: decided from how it ended, with no model involved. */
export function notReachedResult(
  to: string,
  failReason: FailReason | null,
  reason: OutcomeReason,
): CallResult {
  const why = lowerFirst(reason.message).replace(/\.$/, "");
  const next = failReason ? NEXT_STEPS[failReason] : undefined;
  return {
    status: "not_reached",
    summary: `Not reached: I called ${to} and ${why}.`,
    facts: [],
    missing_info: [],
    next_steps: next ? [next] : [],
  };
}

/**
 * What came of the call, as kept with its final state: a call nobody answered was not reached (for a
 * known reason); an answered one has what its conversation told, or none with the reason why.
 */
export function reportOf(
  to: string,
  end: FinalOutcome,
  answered: boolean,
  told: CallReport | null,
): CallReport {
  if (!answered) return { result: notReachedResult(to, end.failReason, end.detail.reason) };
  return (
    told ?? { result: null, unavailable: `no result was made: ${lowerFirst(end.detail.reason.message)}` }
  );
}

/** "The line was busy." → "the line was busy." (an acronym's capitals stay). */
const lowerFirst = (text: string) => text.replace(/^\p{Lu}(?!\p{Lu})/u, (c) => c.toLowerCase());

/** The event that tells a stream what came of the call, right before its final status. */
export function resultEvent(report: CallReport): CallEvent {
  return {
    type: "result",
    result: report.result,
    ...(report.unavailable === undefined ? {} : { result_unavailable: report.unavailable }),
  };
}
