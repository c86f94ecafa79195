import type { CallStatus, FailReason, Lifecycle } from "@clawcall/contract";
import type { CallTable } from "../store/schema.ts";

/** The one state machine behind both revisions' lifecycles. `ended` is the only terminal state. */
export type CallState = CallTable["state"];

const NEXT: Record<CallState, readonly CallState[]> = {
  // A carrier may report the answer before (or instead of) ringing: events arrive out of order.
  queued: ["ringing", "in_progress", "ended"],
  ringing: ["in_progress", "ended"],
  in_progress: ["ended"],
  ended: [],
};

export const isTerminal = (state: CallState) => state === "ended";
export const canTransition = (from: CallState, to: CallState) => NEXT[from].includes(to);

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
