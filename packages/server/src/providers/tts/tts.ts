import type { Voice } from "@clawcall/contract";

/** Text-to-speech seam: one streamed synthesis per sentence, audio out as 8 kHz mu-law. */
export interface TtsCapabilities {
  streaming: boolean;
  /** Output formats the provider can produce natively (others are converted). */
  outputFormats: ReadonlyArray<"mulaw_8000" | "pcm_8000" | "pcm_16000" | "pcm_24000">;
}

export interface TtsRequest {
  text: string;
  voice: Voice;
  signal: AbortSignal;
}

export interface TTS {
  readonly name: string;
  readonly capabilities: TtsCapabilities;
  /**
   * Streams mu-law 8 kHz audio for `text` as it is produced. Each yielded buffer is the caller's to keep
   * (a paused reply is sent again from them), so an adapter never reuses one.
   */
  synthesize(request: TtsRequest): AsyncIterable<Uint8Array>;
  warmup?(): Promise<void>;
}
