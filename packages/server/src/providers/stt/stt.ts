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
   * `mayWaitMs`: how long the caller can let this audio wait before the recogniser hears it (0, the
   * default: not at all). A session whose every send costs (a network socket) may hold audio until it has
   * that much and send it in one message; audio that may not wait goes out at once, after anything held,
   * as do flush and close.
   *
   * `quiet`: the line has been silent for a while and nothing the caller waits on is pending. A session
   * billed for the audio it is sent may leave such audio out once its own results are all in, keeping its
   * last moments to send ahead of the next audio that is not quiet (a soft start the caller's detector
   * caught late). Others treat it as any audio that may wait.
   */
  write(audio: Uint8Array, mayWaitMs?: number, quiet?: boolean): void;
  /** Asks for a final result of what was said so far (end of turn detected locally). */
  flush(): void;
  close(): Promise<void>;
}

export interface STT {
  readonly name: string;
  readonly capabilities: SttCapabilities;
  open(options: SttOpenOptions): Promise<SttSession>;
}
