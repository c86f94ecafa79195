import type { CallEvent, CallStatus, FailReason, Lifecycle, Outcome } from "@clawcall/contract";
import type { CallTable } from "../store/schema.ts";

/** The one state machine behind both revisions' lifecycles. */
export type CallState = CallTable["state"];

const NEXT: Record<CallState, readonly CallState[]> = {
  // A carrier may report the answer before (or instead of) ringing: events arrive out of order.
  queued: ["ringing", "in_progress", "ended"],
  ringing: ["in_progress", "ended"],
  in_progress: ["ended"],
  ended: [],
};

/** A state is terminal when nothing follows it: the call has its final outcome and holds nothing. */
export const isTerminal = (state: CallState) => NEXT[state].length === 0;
export const canTransition = (from: CallState, to: CallState) => NEXT[from].includes(to);

/** States a call may still leave: it holds a number, may be metered, and the reaper watches it. */
export const LIVE_STATES: readonly CallState[] = (Object.keys(NEXT) as CallState[]).filter(
  (s) => !isTerminal(s),
);

export function statusOf(state: CallState, failReason: FailReason | null): CallStatus {
  switch (state) {
    case "queued":
      return "queued";
    case "ringing":
      return "ringing";
    case "in_progress":
      return "in_progress";
    case "ended":
      return failReason ? "failed" : "completed";
  }
}

export function lifecycleOf(state: CallState): Lifecycle {
  switch (state) {
    case "queued":
      return "queued";
    case "ringing":
      return "dialing";
    case "in_progress":
      return "answered";
    case "ended":
      return "finalized";
  }
}

export type StatusEvent = Extract<CallEvent, { type: "status" }>;

/** The status event clients see for a call in `state`; a final one carries why it failed and its outcome. */
export function statusEvent(
  call: { state: CallState; fail_reason: FailReason | null; outcome: Outcome | null },
  at: Date,
): StatusEvent {
  return {
    type: "status",
    status: statusOf(call.state, call.fail_reason),
    lifecycle: lifecycleOf(call.state),
    ...(call.fail_reason ? { failReason: call.fail_reason } : {}),
    ...(call.outcome ? { outcome: call.outcome } : {}),
    at: at.toISOString(),
  };
}
