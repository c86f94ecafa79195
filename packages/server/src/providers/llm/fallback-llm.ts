import { type FallbackOptions, FallbackOrder, streamFromFirstThatStarts } from "../fallback-order.ts";
import type { LLM, LlmCapabilities, LlmChunk, LlmRequest } from "./llm.ts";

/**
 * Tries each LLM in turn until one produces its first chunk. Once a reply has started it is never
 * switched: a second model would repeat or contradict what was already spoken.
 */
export class FallbackLlm implements LLM {
  readonly name: string;
  readonly capabilities: LlmCapabilities;
  private readonly order: FallbackOrder<LLM>;

  constructor(
    private readonly providers: readonly LLM[],
    private readonly options: FallbackOptions = {},
  ) {
    this.order = new FallbackOrder(providers, options.cooldownMs ?? 30_000);
    this.name = providers.map((p) => p.name).join(" → ");
    this.capabilities = {
      streaming: providers.every((p) => p.capabilities.streaming),
      tools: providers.every((p) => p.capabilities.tools),
    };
  }

  async warmup(): Promise<void> {
    // Warming the first is what matters for the first reply; the others are best effort.
    await Promise.allSettled(this.providers.map((p) => p.warmup?.()));
  }

  stream(request: LlmRequest): AsyncIterable<LlmChunk> {
    return streamFromFirstThatStarts(this.order, this.options, request.signal, (p) => p.stream(request));
  }
}
