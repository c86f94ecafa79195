import { abortError } from "../abort.ts";
import { type FallbackOptions, FallbackOrder } from "../fallback-order.ts";
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

  async *stream(request: LlmRequest): AsyncIterable<LlmChunk> {
    let lastError: unknown;
    for (const index of this.order.order()) {
      if (request.signal.aborted) throw abortError(request.signal);
      const provider = this.order.item(index);
      const iterator = provider.stream(request)[Symbol.asyncIterator]();
      let first: IteratorResult<LlmChunk>;
      try {
        first = await iterator.next();
      } catch (error) {
        if (request.signal.aborted) throw abortError(request.signal);
        this.order.failed(index);
        this.options.onFallback?.(provider.name, error);
        lastError = error;
        continue;
      }
      this.order.succeeded(index);
      if (first.done) return;
      try {
        yield first.value;
        while (true) {
          const next = await iterator.next();
          if (next.done) return;
          yield next.value;
        }
      } finally {
        await iterator.return?.();
      }
    }
    throw lastError;
  }
}
