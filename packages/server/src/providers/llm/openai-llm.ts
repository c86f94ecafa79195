import OpenAI from "openai";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { abortError, describeHost, PHONE_TURN_HEADERS_TIMEOUT_MS, ProviderError } from "../abort.ts";
import { createKeptFetch, warmupOnDemand } from "../kept-fetch.ts";
import type { LLM, LlmCapabilities, LlmChunk, LlmMessage, LlmRequest, LlmTool, LlmToolCall } from "./llm.ts";

export interface OpenAiLlmOptions {
  /** Optional for local OpenAI-compatible servers (Ollama, llama.cpp, vLLM) that take no key. */
  apiKey?: string;
  /** Any OpenAI-compatible endpoint, including /v1 (e.g. https://api.groq.com/openai/v1). */
  baseUrl?: string;
  model: string;
  /** Retries before the first byte of a reply; a reply cut off mid-stream is never retried. */
  maxRetries?: number;
  /** Time allowed until the response headers arrive. */
  timeoutMs?: number;
}

/** Streamed chat completions from any OpenAI-compatible endpoint. */
export class OpenAiLlm implements LLM {
  readonly name: string;
  readonly capabilities: LlmCapabilities = { streaming: true, tools: true };
  private readonly client: OpenAI;
  private readonly model: string;
  /** Opens the connection the next reply needs unless one is already open (at the call's start, at each turn). */
  readonly warmup: () => Promise<void>;

  constructor(options: OpenAiLlmOptions) {
    const kept = createKeptFetch();
    this.model = options.model;
    this.name = `openai-compatible:${options.model}@${describeHost(options.baseUrl, "api.openai.com")}`;
    this.client = new OpenAI({
      // The SDK refuses to start without a key; local servers ignore it.
      apiKey: options.apiKey || "no-key",
      baseURL: options.baseUrl,
      // The SDK retries only before a stream starts, so a retry can never replay half a reply. None by
      // default: the agent retries or falls back itself within a phone turn's deadline, where the SDK's
      // backoff (and a server's retry-after) would leave the line silent.
      maxRetries: options.maxRetries ?? 0,
      timeout: options.timeoutMs ?? PHONE_TURN_HEADERS_TIMEOUT_MS,
      logLevel: "off",
      fetch: kept.fetch,
    });
    // A cheap request opens the TLS connection the next reply then reuses.
    this.warmup = warmupOnDemand(kept, this.client.baseURL, () =>
      this.client.models.list({ timeout: 5_000, maxRetries: 0 }),
    );
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmChunk> {
    const { signal } = request;
    let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
    try {
      stream = await this.client.chat.completions.create(
        {
          model: this.model,
          messages: request.messages.map(toOpenAiMessage),
          ...(request.tools?.length ? { tools: request.tools.map(toOpenAiTool) } : {}),
          ...(request.toolChoice
            ? { tool_choice: { type: "function" as const, function: { name: request.toolChoice } } }
            : {}),
          ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
          ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
          stream: true,
        },
        { signal },
      );
    } catch (error) {
      throw signal.aborted ? abortError(signal) : asProviderError(this.name, error);
    }

    const calls = new Map<number, LlmToolCall>();
    let finish: string | null = null;
    try {
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (!choice) continue;
        const delta = choice.delta;
        if (delta?.content) yield { type: "text", text: delta.content };
        for (const part of delta?.tool_calls ?? []) {
          const call = calls.get(part.index) ?? { id: "", name: "", arguments: "" };
          if (part.id) call.id = part.id;
          if (part.function?.name) call.name += part.function.name;
          if (part.function?.arguments) call.arguments += part.function.arguments;
          calls.set(part.index, call);
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    } catch (error) {
      throw signal.aborted ? abortError(signal) : asProviderError(this.name, error, "stream_cut");
    }
    // The SDK ends quietly when aborted, and some servers just close the socket: neither is a whole reply.
    if (signal.aborted) throw abortError(signal);
    if (finish === null)
      throw new ProviderError(this.name, "reply cut off before it finished", { kind: "stream_cut" });

    for (const [, call] of [...calls.entries()].sort(([a], [b]) => a - b)) {
      yield { type: "tool_call", call: { ...call, arguments: call.arguments || "{}" } };
    }
    yield { type: "done", finishReason: mapFinish(finish) };
  }
}

function mapFinish(reason: string): "stop" | "tool_calls" | "length" | "other" {
  if (reason === "stop" || reason === "length" || reason === "tool_calls") return reason;
  if (reason === "function_call") return "tool_calls";
  return "other";
}

function toOpenAiMessage(message: LlmMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      return { role: "user", content: message.content };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant":
      return message.toolCalls?.length
        ? {
            role: "assistant",
            content: message.content || null,
            tool_calls: message.toolCalls.map((call) => ({
              id: call.id,
              type: "function" as const,
              function: { name: call.name, arguments: call.arguments },
            })),
          }
        : { role: "assistant", content: message.content };
  }
}

function toOpenAiTool(tool: LlmTool): ChatCompletionTool {
  return {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

function asProviderError(provider: string, error: unknown, during?: "stream_cut"): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ProviderError(provider, "no response headers in time", { cause: error, kind: "slow_headers" });
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    // The vendor's message only: the SDK's own text can include request details.
    const detail = (error.error as { message?: string } | undefined)?.message ?? "request failed";
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
