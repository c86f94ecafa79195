/** Speech-to-text seam: a streaming session per call, fed 20 ms frames of the callee's audio. */
export interface SttCapabilities {
  streaming: boolean;
  interimResults: boolean;
  /** Audio this provider takes as is. */
  inputEncodings: ReadonlyArray<"mulaw" | "linear16">;
  sampleRates: readonly number[];
}

export type SttEvent =
  | { type: "speech_started" }
  | { type: "interim"; text: string }
  /** `endOfUtterance` when the provider judged the speaker finished (e.g. Deepgram speech_final). */
  | { type: "final"; text: string; endOfUtterance: boolean }
  | { type: "error"; error: Error };

export interface SttOpenOptions {
  encoding: "mulaw" | "linear16";
  sampleRate: number;
  language: string;
  /** Phrases likely on this call, for providers that take hints. */
  hints?: readonly string[];
  signal: AbortSignal;
  onEvent(event: SttEvent): void;
}

export interface SttSession {
  /**
   * Takes 8 kHz mu-law audio. The session may hold on to `audio` after returning (WebSocket clients queue
   * sends by reference), so callers hand over a buffer they will not reuse.
   *
   * `quiet`: the caller judges this audio a stretch of silence nothing is waiting on (no speech for a
   * while, no words pending). A session whose every send costs (a network socket) may then hold it
   * briefly and send several frames at once; audio that is not quiet goes out at once, after anything
   * held, as do flush and close.
   */
  write(audio: Uint8Array, quiet?: boolean): void;
  /** Asks for a final result of what was said so far (end of turn detected locally). */
  flush(): void;
  close(): Promise<void>;
}

export interface STT {
  readonly name: string;
  readonly capabilities: SttCapabilities;
  open(options: SttOpenOptions): Promise<SttSession>;
}
