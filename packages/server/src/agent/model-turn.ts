import type { LLM, LlmChunk, LlmMessage, LlmTool, LlmToolCall } from "../providers/llm/llm.ts";
import { type SpeechSource, SpeechSynthesisError } from "../voice/reply-pipeline.ts";
import type { SpeakOptions, SpeakResult } from "../voice/voice-session.ts";

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
  const source: SpeechSource = (signal) =>
    textOf(
      o.llm.stream({
        messages: o.messages,
        tools: o.tools.length > 0 ? o.tools : undefined,
        temperature: o.temperature,
        maxTokens: o.maxTokens,
        signal,
      }),
      toolCalls,
      o.prefix,
    );
  const result = await o.speaker.speak(source, o.speak);
  return { ...result, toolCalls: result.interrupted || result.error ? [] : toolCalls };
}

async function* textOf(
  stream: AsyncIterable<LlmChunk>,
  toolCalls: LlmToolCall[],
  prefix: string | undefined,
): AsyncGenerator<string> {
  let spoke = false;
  for await (const chunk of stream) {
    if (chunk.type === "tool_call") toolCalls.push(chunk.call);
    else if (chunk.type === "text" && chunk.text.length > 0) {
      if (!spoke && chunk.text.trim().length === 0) continue;
      if (!spoke && prefix !== undefined) yield `${prefix} `;
      spoke = true;
      yield chunk.text;
    }
  }
}
