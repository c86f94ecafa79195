import type { LLM, LlmMessage, LlmTool } from "../providers/llm/llm.ts";
import { SpeculativeLlm } from "../providers/llm/speculative-llm.ts";
import type { UserTurn } from "../voice/session-types.ts";
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
  private readonly llm: SpeculativeLlm;

  constructor(
    llm: LLM,
    canConnect: boolean,
    private readonly settings: VoiceAgentSettings,
    private readonly history: CallHistory,
    private readonly signal: AbortSignal,
    private readonly report: ReportModelFailure,
  ) {
    this.tools = agentTools(canConnect);
    this.llm = new SpeculativeLlm(llm);
  }

  /**
   * Starts the reply to `userText` before the turn is certain, exactly as `speak` would ask for it once
   * the turn has been recorded; `speak` then takes it up if the turn's words are the same.
   */
  prepare(instructions: LlmMessage, userText: string): void {
    this.llm.speculate({
      messages: [instructions, ...this.history.messagesWithUser(userText)],
      tools: this.tools,
      temperature: this.settings.temperature,
      maxTokens: this.settings.maxTokens,
    });
  }

  /**
   * The callee has started to speak: the reply's request is a second or so away, so a connection the
   * vendor closed in the pause is opened again now rather than on the reply's time. Its failure is
   * the request's to report.
   */
  warmConnection(): void {
    this.llm.warmup().catch(() => undefined);
  }

  /** Drops a reply prepared ahead (something else came first, or the call is over). */
  dropPrepared(): void {
    this.llm.cancel();
  }

  /** The callee spoke on after a preview: its reply is kept only for the same words (see SpeculativeLlm.drop). */
  previewWithdrawn(): void {
    this.llm.drop();
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
