import type { Voice } from "@clawcall/contract";

/** Text-to-speech seam: one streamed synthesis per sentence, audio out as 8 kHz mu-law. */
export interface TtsCapabilities {
  streaming: boolean;
  /**
   * Takes a reply's text in pieces as it is written (a model's tokens) over a connection opened ahead:
   * `openStream`. Without it, each flushed segment is one `synthesize` call.
   */
  inputStreaming?: boolean;
  /** Output formats the provider can produce natively (others are converted). */
  outputFormats: ReadonlyArray<"mulaw_8000" | "pcm_8000" | "pcm_16000" | "pcm_24000">;
}

export interface TtsRequest {
  text: string;
  voice: Voice;
  signal: AbortSignal;
}

export interface TtsStreamRequest {
  voice: Voice;
  /** Aborting stops the audio at once and releases what the stream holds at the vendor. */
  signal: AbortSignal;
}

/**
 * What a text stream gives back, in segment order: each segment's audio (mu-law 8 kHz, the caller's to
 * keep), then its end once all of it is out. A segment that made no audio still ends.
 */
export type TtsStreamEvent =
  | { type: "audio"; segment: number; audio: Uint8Array }
  | { type: "end"; segment: number };

/**
 * One reply's speech from text written in pieces. `flush` closes the current segment (numbered from 0):
 * its text is synthesised now, without waiting for more. Events fail with the provider's error (with the
 * abort error once the request's signal aborts).
 */
export interface TtsTextStream {
  /** Adds whole words to the current segment; each piece ends with a space. */
  write(text: string): void;
  /** Closes the current segment and returns its number. */
  flush(): number;
  /** No more text: the events end after the last flushed segment. Text not flushed is dropped. */
  end(): void;
  readonly events: AsyncIterable<TtsStreamEvent>;
}

export interface TTS {
  readonly name: string;
  readonly capabilities: TtsCapabilities;
  /**
   * Streams mu-law 8 kHz audio for `text` as it is produced. Each yielded buffer is the caller's to keep
   * (a paused reply is sent again from them), so an adapter never reuses one.
   */
  synthesize(request: TtsRequest): AsyncIterable<Uint8Array>;
  /** Present when `capabilities.inputStreaming` is. */
  openStream?(request: TtsStreamRequest): TtsTextStream;
  /** Opens connections ahead of the first line; with `voice`, also the one that voice's replies stream on. */
  warmup?(voice?: Voice): Promise<void>;
}
