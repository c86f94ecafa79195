import type { Voice } from "@clawcall/contract";
import { type FallbackOptions, FallbackOrder, streamFromFirstThatStarts } from "../fallback-order.ts";
import { fallbackTextStream } from "./fallback-stream.ts";
import type { TTS, TtsCapabilities, TtsRequest, TtsStreamRequest, TtsTextStream } from "./tts.ts";

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
      inputStreaming: providers.some((p) => p.capabilities.inputStreaming),
      outputFormats: [...new Set(providers.flatMap((p) => p.capabilities.outputFormats))],
    };
  }

  async warmup(voice?: Voice): Promise<void> {
    await Promise.allSettled(this.providers.map((p) => p.warmup?.(voice)));
  }

  synthesize(request: TtsRequest): AsyncIterable<Uint8Array> {
    return streamFromFirstThatStarts(this.order, this.options, request.signal, (p) => p.synthesize(request));
  }

  /** A reply's text streamed to the first provider that speaks; see fallbackTextStream. */
  openStream(request: TtsStreamRequest): TtsTextStream {
    return fallbackTextStream(this.order, this.options, request);
  }
}
