import { ProviderError } from "../providers/abort.ts";
import type { LLM, LlmChunk, LlmMessage, LlmTool, LlmToolCall } from "../providers/llm/llm.ts";
import { type SpeechSource, SpeechSynthesisError } from "../voice/reply-pipeline.ts";
import type { SpeakOptions, SpeakResult } from "../voice/session-types.ts";

/** Why a model turn failed, in words for the call record. */
export function failureReason(error: Error): string {
  return error instanceof SpeechSynthesisError ? "speech synthesis failed" : "the language model failed";
}

/** What the agent needs of the voice session to speak. */
export interface Speaker {
  speak(source: SpeechSource, options?: SpeakOptions): Promise<SpeakResult>;
}

export interface ModelTurnOptions {
  llm: LLM;
  speaker: Speaker;
  /** System instructions first, then the conversation so far. */
  messages: readonly LlmMessage[];
  tools: readonly LlmTool[];
  temperature: number;
  maxTokens: number;
  speak: SpeakOptions;
  /** Spoken before the model's first words, only if the model says anything. */
  prefix?: string;
  deadlines: ReplyDeadlines;
  /** The call's wait for the model so far (kept by the agent across replies). */
  wait: ReplyWait;
  /** Told of each attempt that failed before the reply started and was tried again. */
  onRetry?(error: Error): void;
}

/** How long the line may stay silent while a reply is awaited (wall clock: the model is elsewhere). */
export interface ReplyDeadlines {
  /** No reply started by then: one short holding phrase (not before a prefixed reply). */
  holdingPhraseMs: number;
  holdingPhrase: string;
  /** An attempt with no first output by then is given up and the next attempt made. */
  attemptTimeoutMs: number;
  /** Attempts in all; with several providers each new attempt starts with the next one. */
  attempts: number;
}

export interface ModelTurnResult extends SpeakResult {
  /** Tool calls of a reply that was not interrupted, in order. */
  toolCalls: LlmToolCall[];
}

/**
 * One model call, streamed straight into speech: text chunks go to the voice session as they arrive,
 * tool calls are collected for after the words have been played. A reply the callee interrupted
 * keeps none of its tool calls (they cannot stand once the callee has said something new).
 */
export async function runModelTurn(o: ModelTurnOptions): Promise<ModelTurnResult> {
  const toolCalls: LlmToolCall[] = [];
  const result = await o.speaker.speak((signal) => replyText(o, toolCalls, signal), o.speak);
  return { ...result, toolCalls: result.interrupted || result.error ? [] : toolCalls };
}

const TIMED_OUT = Symbol("timed out");

/**
 * How long the model has kept the line waiting, across replies: a callee who speaks while the agent
 * waits restarts the reply, but not the clock, so a model that never answers cannot be kept alive by a
 * callee asking "hello?". Cleared once the model produces anything, or when a new wait starts long after
 * the last one was cut short (the agent was on hold, say).
 */
export class ReplyWait {
  since: number | null = null;
  held = false;
  failures = 0;
  private cutAt: number | null = null;

  /** The start of this stretch of waiting (now, unless an interrupted one goes on). */
  begin(now: number, deadlines: ReplyDeadlines): number {
    if (this.since === null || (this.cutAt !== null && now - this.cutAt > deadlines.attemptTimeoutMs)) {
      this.reset();
      this.since = now;
    }
    this.cutAt = null;
    return this.since!;
  }

  interrupted(now: number): void {
    this.cutAt = now;
  }

  /** An attempt failed: the next one gets a window of its own. Returns whether attempts are left. */
  failed(now: number, deadlines: ReplyDeadlines): boolean {
    this.failures++;
    this.since = now;
    return this.failures < deadlines.attempts;
  }

  reset(): void {
    this.since = null;
    this.held = false;
    this.failures = 0;
    this.cutAt = null;
  }
}

/**
 * The reply's text, with the line kept alive while it is awaited: after `holdingPhraseMs` one holding
 * phrase is spoken; an attempt that has produced nothing by `attemptTimeoutMs` (or failed before its
 * first output) is abandoned and tried again, up to `attempts`. Once output has started the reply is
 * never restarted: what was already spoken cannot be taken back.
 */
async function* replyText(
  o: ModelTurnOptions,
  toolCalls: LlmToolCall[],
  signal: AbortSignal,
): AsyncGenerator<string> {
  const d = o.deadlines;
  const wait = o.wait;
  // A prefixed reply (the voicemail message) opens with words of its own; a holding phrase would not fit.
  if (o.prefix !== undefined) wait.held = true;
  for (;;) {
    const windowStart = wait.begin(performance.now(), d);
    const attemptSignal = new AbortController();
    const stop = () => attemptSignal.abort(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    const iterator = o.llm
      .stream({
        messages: o.messages,
        tools: o.tools.length > 0 ? o.tools : undefined,
        temperature: o.temperature,
        maxTokens: o.maxTokens,
        signal: attemptSignal.signal,
      })
      [Symbol.asyncIterator]();
    let finished = false;
    try {
      const next = iterator.next();
      next.catch(() => {});
      let first: IteratorResult<LlmChunk> | typeof TIMED_OUT;
      try {
        for (;;) {
          const now = performance.now();
          const untilDeadline = d.attemptTimeoutMs - (now - windowStart);
          const untilHold = wait.held ? Number.POSITIVE_INFINITY : d.holdingPhraseMs - (now - wait.since!);
          first = await within(next, Math.min(untilDeadline, untilHold), signal);
          if (first !== TIMED_OUT) break;
          if (performance.now() - windowStart >= d.attemptTimeoutMs) {
            const late = new ProviderError(o.llm.name, "no reply started in time", {
              kind: "no_first_token",
            });
            // The reason tells a fallback chain to put this provider behind the others.
            attemptSignal.abort(late);
            throw late;
          }
          wait.held = true;
          yield `${d.holdingPhrase} `;
        }
      } catch (error) {
        if (signal.aborted) {
          wait.interrupted(performance.now());
          throw error;
        }
        if (!wait.failed(performance.now(), d)) {
          wait.reset();
          throw error;
        }
        o.onRetry?.(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      wait.reset();
      let spoke = false;
      for (let step = first; !step.done; step = await iterator.next()) {
        const chunk = step.value;
        if (chunk.type === "tool_call") toolCalls.push(chunk.call);
        else if (chunk.type === "text" && chunk.text.length > 0) {
          if (!spoke && chunk.text.trim().length === 0) continue;
          if (!spoke && o.prefix !== undefined) yield `${o.prefix} `;
          spoke = true;
          yield chunk.text;
        }
      }
      finished = true;
      return;
    } finally {
      signal.removeEventListener("abort", stop);
      // A reply read to its end has nothing left to stop (an abort costs an exception built per listener);
      // one left early (the callee cut in) may still be streaming.
      if (!attemptSignal.signal.aborted && !finished) attemptSignal.abort();
    }
  }
}

/** Settles like `promise`, or with TIMED_OUT after `ms`; an abort of `signal` rejects at once. */
function within<T>(promise: Promise<T>, ms: number, signal: AbortSignal): Promise<T | typeof TIMED_OUT> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = Number.isFinite(ms)
      ? setTimeout(() => settle(() => resolve(TIMED_OUT)), Math.max(0, ms))
      : null;
    const onAbort = () => settle(() => reject(signal.reason));
    const settle = (fn: () => void) => {
      if (timer !== null) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      fn();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
