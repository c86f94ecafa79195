import {
  type CallView,
  type FailReason,
  SILENTLY_REPLACEABLE_REASONS,
  SILENTLY_RETRYABLE_CODES,
} from "@clawcall/contract";
import { ClawCallError } from "./errors.ts";

export interface RetryDelays {
  /** Pause before re-sending a POST /call refused with dial_failed ("retry after a few seconds"). */
  dialFailedMs: number;
  /** Pause before re-sending a POST /call refused with number_pool_exhausted (the skill says 15 s). */
  poolExhaustedMs: number;
  /** Pause before re-placing a call that ended with failReason dial_failed or network_error. */
  callFailedMs: number;
}

export const DEFAULT_RETRY_DELAYS: RetryDelays = {
  dialFailedMs: 3_000,
  poolExhaustedMs: 15_000,
  callFailedMs: 3_000,
};

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

const NO: RetryDecision = { retry: false };

/**
 * Whether a failed POST /call is retried silently. Only the skill's transient set, only once. A lost
 * connection or a timeout is never retried here: the call may already have been placed, and placing
 * it twice would ring someone twice.
 */
export function decidePlaceRetry(error: unknown, retriesSoFar: number, delays: RetryDelays): RetryDecision {
  if (retriesSoFar >= 1 || !(error instanceof ClawCallError)) return NO;
  if (!(SILENTLY_RETRYABLE_CODES as ReadonlySet<string>).has(error.code)) return NO;
  const delayMs = error.code === "number_pool_exhausted" ? delays.poolExhaustedMs : delays.dialFailedMs;
  return { retry: true, delayMs };
}

/** failReasons after which the call is placed once more without asking: the contract's set. */
export const SILENT_REPLACE_REASONS: ReadonlySet<FailReason> = SILENTLY_REPLACEABLE_REASONS;

export function decideCallRetry(call: CallView, retriesSoFar: number, delays: RetryDelays): RetryDecision {
  if (retriesSoFar >= 1 || call.status !== "failed" || call.failReason === undefined) return NO;
  return SILENT_REPLACE_REASONS.has(call.failReason) ? { retry: true, delayMs: delays.callFailedMs } : NO;
}
