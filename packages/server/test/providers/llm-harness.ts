import { AnthropicLlm } from "../../src/providers/llm/anthropic-llm.ts";
import type { LLM, LlmChunk, LlmRequest } from "../../src/providers/llm/llm.ts";
import { OpenAiLlm } from "../../src/providers/llm/openai-llm.ts";
import { startFakeAnthropic } from "../fakes/fake-anthropic.ts";
import { startFakeOpenAi } from "../fakes/fake-openai.ts";
import type { FakeLlmControl } from "../fakes/llm-script.ts";

/** One LLM adapter wired to its fake, so the same expectations run against every adapter. */
export interface LlmRig {
  llm: LLM;
  chat: FakeLlmControl;
  connections(): number;
  close(): Promise<void>;
}

export interface LlmHarness {
  name: string;
  start(options?: { maxRetries?: number }): Promise<LlmRig>;
}

export const LLM_HARNESSES: LlmHarness[] = [
  {
    name: "OpenAI-compatible",
    async start(options = {}) {
      const fake = await startFakeOpenAi({ apiKey: "test-openai-key" });
      const llm = new OpenAiLlm({
        apiKey: "test-openai-key",
        baseUrl: fake.url,
        model: "fake-model",
        maxRetries: options.maxRetries ?? 0,
      });
      return { llm, chat: fake.chat, connections: fake.connections, close: fake.close };
    },
  },
  {
    name: "Anthropic",
    async start(options = {}) {
      const fake = await startFakeAnthropic({ apiKey: "test-anthropic-key" });
      const llm = new AnthropicLlm({
        apiKey: "test-anthropic-key",
        baseUrl: fake.url,
        model: "fake-claude",
        maxRetries: options.maxRetries ?? 0,
      });
      return { llm, chat: fake.chat, connections: fake.connections, close: fake.close };
    },
  },
];

export interface Collected {
  chunks: LlmChunk[];
  text: string;
  error: unknown;
}

/** Drains a stream, keeping what arrived before any error. */
export async function collect(llm: LLM, request: Omit<LlmRequest, "signal"> & { signal?: AbortSignal }) {
  const result: Collected = { chunks: [], text: "", error: undefined };
  try {
    for await (const chunk of llm.stream({ signal: new AbortController().signal, ...request })) {
      result.chunks.push(chunk);
      if (chunk.type === "text") result.text += chunk.text;
    }
  } catch (error) {
    result.error = error;
  }
  return result;
}
