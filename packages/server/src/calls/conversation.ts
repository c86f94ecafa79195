import type { CallRequest, CallResult, TranscriptEntry } from "@clawcall/contract";
import type { MediaStream } from "../media/media-stream.ts";
import type { LatencySummary } from "../observability/latency.ts";
import type { AnsweredBy, BridgeResult } from "../telephony/carrier.ts";
import type { ConversationEndCause, EndCause } from "./outcomes.ts";

/**
 * How a conversation ended, for the call record: one of the conversation's own causes, or the limit
 * (length or balance) the agent saw coming and said goodbye before. `message` is plain words for
 * `outcome_detail.reason.message` (e.g. the agent's own end_call reason), never transcript text.
 */
export interface ConversationEnd {
  cause: ConversationEndCause | Extract<EndCause, "max_duration" | "balance_exhausted" | "agent_unavailable">;
  message?: string;
}

/**
 * The seam between the call service and whatever holds the conversation once a call is answered
 * (the voice agent). The call service owns the lifecycle; the conversation owns the audio.
 */
export interface AnsweredCall {
  callId: string;
  request: CallRequest;
  /** The caller number shown to the callee. */
  from: string;
  /** The carrier's verdict at answer; "unknown" while machine detection is still deciding. */
  answeredBy: AnsweredBy;
  /** Registers for what the carrier learns about the far end after answer (signals so far come at once). */
  onSignal(listener: (signal: CallSignal) => void): void;
  media: MediaStream;
  /** Talk seconds left before the caller's balance or the maximum call length runs out. */
  maxTalkSeconds: number;
  /** Appends to the live transcript (timestamped on arrival); shown to the client at once. */
  appendTranscript(entry: Omit<TranscriptEntry, "timestamp">): void;
  /** The call's transcript as kept, every line appended so far included: what a result cites. */
  transcript(): Promise<TranscriptEntry[]>;
  /**
   * Ends the call at the carrier; `end` says why, so the call record names the way it ended. The call
   * is finalized once `run` has returned.
   */
  hangup(end?: ConversationEnd): Promise<void>;
  sendDigits(digits: string): Promise<void>;
  /** Rings the request's bridge_number and joins it; only when one was given. */
  bridge(): Promise<BridgeResult>;
  /**
   * Aborted when the call ends for any reason (callee hung up, media dropped, cancelled). `run` should
   * then return soon: the call is finalized with what it returns, or without it after a short grace.
   */
  signal: AbortSignal;
}

/** What the carrier learns about the far end after answer. */
export type CallSignal =
  /** Machine detection decided after the answer (carriers take seconds; nobody is kept waiting for it). */
  | { type: "answered_by"; answeredBy: AnsweredBy }
  /** The carrier heard a voicemail greeting's final beep. */
  | { type: "beep" };

export interface ConversationResult {
  /** Why the conversation ended, in words for the call record (e.g. "agent ended the call: task done"). */
  endReason: string;
  /** Why the conversation ended, when it ended it: the call is finalized with this unless ended otherwise first. */
  end?: ConversationEnd;
  latency?: LatencySummary;
  /** What came of the call, judged after the conversation stopped; null with `resultUnavailable` when none. */
  result?: CallResult | null;
  resultUnavailable?: string;
}

export interface ConversationEngine {
  /** Null when answered calls can be handled; otherwise the plain reason they cannot (e.g. no model). */
  unavailableReason(): string | null;
  /** Called when the call starts ringing, so provider sessions open before anyone answers. */
  prepare?(callId: string, request: CallRequest): void;
  run(call: AnsweredCall): Promise<ConversationResult>;
  /** Called when a call ends, answered or not, so what `prepare` opened is let go. */
  release?(callId: string): void;
}
