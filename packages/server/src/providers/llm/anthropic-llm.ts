import Anthropic from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  MessageParam,
  RawMessageStreamEvent,
  Tool,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { abortError, describeHost, PHONE_TURN_HEADERS_TIMEOUT_MS, ProviderError } from "../abort.ts";
import { createKeptFetch, warmupOnDemand } from "../kept-fetch.ts";
import type { LLM, LlmCapabilities, LlmChunk, LlmMessage, LlmRequest, LlmTool, LlmToolCall } from "./llm.ts";

export interface AnthropicLlmOptions {
  apiKey: string;
  model: string;
  baseUrl?: string;
  /** Retries before the first byte of a reply; a reply cut off mid-stream is never retried. */
  maxRetries?: number;
  timeoutMs?: number;
  /** The Messages API requires a cap; phone replies are short. */
  defaultMaxTokens?: number;
}

/** Streamed replies from the Anthropic Messages API. */
export class AnthropicLlm implements LLM {
  readonly name: string;
  readonly capabilities: LlmCapabilities = { streaming: true, tools: true };
  private readonly client: Anthropic;
  private readonly model: string;
  private readonly defaultMaxTokens: number;

  /** Opens the connection the next request needs unless one is already open. */
  readonly warmup: () => Promise<void>;

  constructor(options: AnthropicLlmOptions) {
    const kept = createKeptFetch();
    this.model = options.model;
    this.defaultMaxTokens = options.defaultMaxTokens ?? 1024;
    this.name = `anthropic:${options.model}@${describeHost(options.baseUrl, "api.anthropic.com")}`;
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      // None by default, as for OpenAiLlm: the agent retries within a phone turn's deadline.
      maxRetries: options.maxRetries ?? 0,
      timeout: options.timeoutMs ?? PHONE_TURN_HEADERS_TIMEOUT_MS,
      logLevel: "off",
      fetch: kept.fetch,
    });
    this.warmup = warmupOnDemand(kept, this.client.baseURL, () =>
      this.client.models.list({ limit: 1 }, { timeout: 5_000, maxRetries: 0 }),
    );
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmChunk> {
    const { signal } = request;
    const { system, messages } = toAnthropicMessages(request.messages);
    let stream: AsyncIterable<RawMessageStreamEvent>;
    try {
      stream = await this.client.messages.create(
        {
          model: this.model,
          max_tokens: request.maxTokens ?? this.defaultMaxTokens,
          messages,
          ...(system ? { system } : {}),
          ...(request.tools?.length ? { tools: request.tools.map(toAnthropicTool) } : {}),
          ...(request.toolChoice ? { tool_choice: { type: "tool" as const, name: request.toolChoice } } : {}),
          ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
          stream: true,
        },
        { signal },
      );
    } catch (error) {
      throw signal.aborted ? abortError(signal) : asProviderError(this.name, error);
    }

    const tools = new Map<number, LlmToolCall>();
    let stopReason: string | null | undefined;
    let stopped = false;
    try {
      for await (const event of stream) {
        switch (event.type) {
          case "content_block_start":
            if (event.content_block.type === "tool_use") {
              const { id, name } = event.content_block;
              tools.set(event.index, { id, name, arguments: "" });
            }
            break;
          case "content_block_delta":
            if (event.delta.type === "text_delta" && event.delta.text) {
              yield { type: "text", text: event.delta.text };
            } else if (event.delta.type === "input_json_delta") {
              const call = tools.get(event.index);
              if (call) call.arguments += event.delta.partial_json;
            }
            break;
          case "content_block_stop": {
            const call = tools.get(event.index);
            if (call) yield { type: "tool_call", call: { ...call, arguments: call.arguments || "{}" } };
            break;
          }
          case "message_delta":
            stopReason = event.delta.stop_reason;
            break;
          case "message_stop":
            stopped = true;
            break;
        }
      }
    } catch (error) {
      throw signal.aborted ? abortError(signal) : asProviderError(this.name, error, "stream_cut");
    }
    if (signal.aborted) throw abortError(signal);
    if (!stopped)
      throw new ProviderError(this.name, "reply cut off before it finished", { kind: "stream_cut" });
    yield { type: "done", finishReason: mapStop(stopReason) };
  }
}

function mapStop(reason: string | null | undefined): "stop" | "tool_calls" | "length" | "other" {
  if (reason === "end_turn" || reason === "stop_sequence") return "stop";
  if (reason === "tool_use") return "tool_calls";
  if (reason === "max_tokens") return "length";
  return "other";
}

/** System text goes apart; tool results ride in user turns; consecutive turns of one role are merged. */
export function toAnthropicMessages(input: readonly LlmMessage[]): {
  system: string;
  messages: MessageParam[];
} {
  const system: string[] = [];
  const messages: MessageParam[] = [];
  const push = (role: "user" | "assistant", blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = messages.at(-1);
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const message of input) {
    switch (message.role) {
      case "system":
        system.push(message.content);
        break;
      case "user":
        push("user", message.content ? [{ type: "text", text: message.content }] : []);
        break;
      case "tool":
        push("user", [{ type: "tool_result", tool_use_id: message.toolCallId, content: message.content }]);
        break;
      case "assistant": {
        const blocks: ContentBlockParam[] = message.content ? [{ type: "text", text: message.content }] : [];
        for (const call of message.toolCalls ?? []) {
          blocks.push({
            type: "tool_use",
            id: call.id,
            name: call.name,
            input: parseArguments(call.arguments),
          });
        }
        push("assistant", blocks);
        break;
      }
    }
  }
  return { system: system.join("\n\n"), messages };
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text || "{}");
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function toAnthropicTool(tool: LlmTool): Tool {
  return {
    name: tool.name,
    description: tool.description,
    input_schema: tool.parameters as Tool.InputSchema,
  };
}

function asProviderError(provider: string, error: unknown, during?: "stream_cut"): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return new ProviderError(provider, "no response headers in time", { cause: error, kind: "slow_headers" });
  }
  if (error instanceof Anthropic.APIError && error.status !== undefined) {
    const body = error.error as { error?: { message?: string } } | undefined;
    const detail = body?.error?.message ?? "request failed";
    return new ProviderError(provider, `HTTP ${error.status ?? "error"}: ${detail}`, {
      status: error.status,
      cause: error,
    });
  }
  return new ProviderError(provider, error instanceof Error ? error.message : String(error), {
    cause: error,
    kind: during ?? "connection_error",
  });
}
