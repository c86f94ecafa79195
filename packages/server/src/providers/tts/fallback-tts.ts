import { abortError } from "../abort.ts";
import { type FallbackOptions, FallbackOrder } from "../fallback-order.ts";
import type { TTS, TtsCapabilities, TtsRequest } from "./tts.ts";

/**
 * Tries each TTS in turn until one produces audio. A sentence already sounding is never restarted in
 * another voice; a failure after the first bytes is passed on.
 */
export class FallbackTts implements TTS {
  readonly name: string;
  readonly capabilities: TtsCapabilities;
  private readonly order: FallbackOrder<TTS>;

  constructor(
    private readonly providers: readonly TTS[],
    private readonly options: FallbackOptions = {},
  ) {
    this.order = new FallbackOrder(providers, options.cooldownMs ?? 30_000);
    this.name = providers.map((p) => p.name).join(" → ");
    this.capabilities = {
      streaming: providers.every((p) => p.capabilities.streaming),
      outputFormats: [...new Set(providers.flatMap((p) => p.capabilities.outputFormats))],
    };
  }

  async warmup(): Promise<void> {
    await Promise.allSettled(this.providers.map((p) => p.warmup?.()));
  }

  async *synthesize(request: TtsRequest): AsyncIterable<Uint8Array> {
    let lastError: unknown;
    for (const index of this.order.order()) {
      if (request.signal.aborted) throw abortError(request.signal);
      const provider = this.order.item(index);
      const iterator = provider.synthesize(request)[Symbol.asyncIterator]();
      let first: IteratorResult<Uint8Array>;
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
