import type { CallRequest, Handoff } from "@clawcall/contract";
import type { AnsweredBy } from "../telephony/carrier.ts";
import type { CallReport } from "./call-result.ts";
import type { CallSignal } from "./conversation.ts";
import type { EndInfo } from "./outcomes.ts";

/** What this node holds in memory about a call it owns, from dial to hang-up. */
export interface ActiveCall {
  id: string;
  keyId: string;
  wallet: string;
  from: string;
  request: CallRequest;
  /** Bridge number lives here only: it is never written to the database. */
  bridgeNumber: string | null;
  answeredAtMs: number | null;
  answeredBy: AnsweredBy;
  /** The running conversation's ear for carrier signals; until it listens, they wait in `pendingSignals`. */
  signalListener: ((signal: CallSignal) => void) | null;
  pendingSignals: CallSignal[];
  /** Talk seconds the wallet covered when this call was answered. */
  budgetSeconds: number;
  /** Ends the conversation (aborts the engine) when the call ends. */
  controller: AbortController;
  /**
   * A conversation runs on the call: ends decided meanwhile only stop it, and the conversation runner
   * finalizes the call once the conversation has stopped and what came of it is known.
   */
  conversing: boolean;
  /** The live handoff, once the agent asked for one (see handoff-leg.ts). */
  handoff: Handoff | null;
  /** The first end decided for the call (by the carrier, the caller, the agent or the service). */
  pendingEnd: EndInfo | null;
  /** When `pendingEnd` was decided: the talk time runs to here, not to the finalization. */
  pendingEndAt: Date | null;
  /** `pendingEnd` is the agent's own hang-up, so the conversation's account of its end is the truer one. */
  endedByAgent: boolean;
  /** What came of the call, once its conversation has told it; written with the final state. */
  report: CallReport | null;
  /** Finalization has begun: nothing more is added to the call. */
  finalizing: boolean;
  /** Lines added to the live transcript so far (the next line's index). */
  transcriptLines: number;
}

/** A call as this node starts holding it: not answered yet, nothing decided about its end. */
export function newActiveCall(
  fields: Pick<
    ActiveCall,
    "id" | "keyId" | "wallet" | "from" | "request" | "bridgeNumber" | "budgetSeconds"
  > &
    Partial<ActiveCall>,
): ActiveCall {
  return {
    answeredAtMs: null,
    answeredBy: "unknown",
    signalListener: null,
    pendingSignals: [],
    controller: new AbortController(),
    conversing: false,
    handoff: null,
    pendingEnd: null,
    pendingEndAt: null,
    endedByAgent: false,
    report: null,
    finalizing: false,
    transcriptLines: 0,
    ...fields,
  };
}
