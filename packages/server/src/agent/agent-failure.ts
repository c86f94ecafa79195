import { ProviderError, type ProviderFailureKind } from "../providers/abort.ts";
import { SpeechSynthesisError } from "../voice/reply-pipeline.ts";

/** Which of the agent's providers failed. */
export type AgentFailureStage = "llm" | "stt" | "tts";

/** How it failed: a provider's own kind, or what the agent itself saw go wrong. */
export type AgentFailureKind =
  | ProviderFailureKind
  | "malformed_tool_call"
  | "stt_error"
  | "tts_error"
  | "error";

/**
 * One failure the agent met on a call, for the operator's log and metrics: the provider and the kind,
 * never transcript text, numbers or the provider's message.
 */
export interface AgentFailure {
  stage: AgentFailureStage;
  provider: string;
  kind: AgentFailureKind;
  /** The call was ended because of it (after retries and fallbacks), rather than recovered from. */
  fatal: boolean;
}

export type ReportFailure = (failure: AgentFailure) => void;

/** Names of the providers behind the agent, for failures whose error does not name its own. */
export type ProviderNames = Record<AgentFailureStage, string>;

/** Reads a failed model turn's error: speech synthesis breaking is the voice's failure, not the model's. */
export function failureOf(error: unknown, names: ProviderNames, fatal: boolean): AgentFailure {
  if (error instanceof SpeechSynthesisError) {
    const cause = error.cause;
    return cause instanceof ProviderError
      ? { stage: "tts", provider: cause.provider, kind: cause.kind, fatal }
      : { stage: "tts", provider: names.tts, kind: "tts_error", fatal };
  }
  if (error instanceof ProviderError)
    return { stage: "llm", provider: error.provider, kind: error.kind, fatal };
  return { stage: "llm", provider: names.llm, kind: "error", fatal };
}

/** The recogniser's failure: its own kind when it says, else a plain recogniser error. */
export function sttFailureOf(error: unknown, names: ProviderNames): AgentFailure {
  return error instanceof ProviderError
    ? { stage: "stt", provider: error.provider, kind: error.kind, fatal: true }
    : { stage: "stt", provider: names.stt, kind: "stt_error", fatal: true };
}
