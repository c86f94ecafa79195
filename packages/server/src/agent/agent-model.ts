import type { LLM, LlmMessage, LlmTool } from "../providers/llm/llm.ts";
import type { UserTurn } from "../voice/voice-session.ts";
import { type ModelTurnResult, ReplyWait, runModelTurn, type Speaker } from "./model-turn.ts";
import type { VoiceAgentSettings } from "./settings.ts";
import { agentTools } from "./tools.ts";
import type { CallHistory } from "./transcript-history.ts";

export interface ModelCallOptions {
  replyTo?: UserTurn;
  interruptible?: boolean;
  /** Spoken before the model's first words (the voicemail message's intro). */
  prefix?: string;
}

/** A failed model attempt: `fatal` when the call ends for it, not when it was tried again. */
type ReportModelFailure = (error: Error, fatal: boolean) => void;

/**
 * The model as the agent uses it on one call: with the call's tools and settings, one wait for replies
 * kept across turns, each failure reported and each reply recorded in the transcript and the history.
 */
export class AgentModel {
  private readonly tools: LlmTool[];
  private readonly wait = new ReplyWait();

  constructor(
    private readonly llm: LLM,
    canConnect: boolean,
    private readonly settings: VoiceAgentSettings,
    private readonly history: CallHistory,
    private readonly signal: AbortSignal,
    private readonly report: ReportModelFailure,
  ) {
    this.tools = agentTools(canConnect);
  }

  /** One model call spoken as it streams, after `instructions` and the conversation so far. */
  async speak(speaker: Speaker, instructions: LlmMessage, o: ModelCallOptions): Promise<ModelTurnResult> {
    const result = await runModelTurn({
      llm: this.llm,
      speaker,
      messages: [instructions, ...this.history.messages],
      tools: this.tools,
      temperature: this.settings.temperature,
      maxTokens: this.settings.maxTokens,
      prefix: o.prefix,
      speak: { replyTo: o.replyTo, interruptible: o.interruptible ?? true, signal: this.signal },
      deadlines: {
        holdingPhraseMs: this.settings.firstTokenDeadlineMs,
        holdingPhrase: this.settings.holdingPhrase,
        attemptTimeoutMs: this.settings.replyTimeoutMs,
        attempts: this.settings.modelAttempts,
      },
      wait: this.wait,
      onRetry: (error) => this.report(error, false),
    });
    if (result.error) this.report(result.error, true);
    this.history.assistant(result.text, result.toolCalls);
    return result;
  }
}
