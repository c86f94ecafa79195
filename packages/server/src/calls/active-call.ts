import type { CallRequest, Handoff } from "@clawcall/contract";
import type { AnsweredBy } from "../telephony/carrier.ts";
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
  /** The live handoff, once the agent asked for one (see handoff-leg.ts). */
  handoff: Handoff | null;
  /** Set when the service itself decided why the call ends, ahead of the carrier's hang-up event. */
  pendingEnd: EndInfo | null;
}
