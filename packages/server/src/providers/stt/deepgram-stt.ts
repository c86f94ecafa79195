import { type Deepgram, DeepgramClient } from "@deepgram/sdk";
import { abortError, describeHost, ProviderError } from "../abort.ts";
import { DEFAULT_MODELS } from "../default-models.ts";
import { PreRoll } from "./pre-roll.ts";
import type { STT, SttCapabilities, SttEvent, SttOpenOptions, SttSession } from "./stt.ts";

export interface DeepgramSttOptions {
  apiKey: string;
  /** ws(s):// base URL (the SDK appends /v1/listen). */
  baseUrl?: string;
  model?: string;
  /** Silence Deepgram waits before marking speech_final. */
  endpointingMs?: number;
  /** Gap in words after which Deepgram sends UtteranceEnd (it needs at least 1000). */
  utteranceEndMs?: number;
  /**
   * Deepgram drops a stream after about 10 s without audio: a KeepAlive goes out after this long without
   * a message (it suggests every 3 to 5 s).
   */
  keepAliveMs?: number;
  connectTimeoutMs?: number;
  /** How long close() waits for Deepgram's last results after CloseStream. */
  closeTimeoutMs?: number;
}

/** The most audio held back to go in one message (see SttSession.write); Deepgram suggests 20 to 250 ms. */
const MAX_BATCH_MS = 200;
/**
 * Quiet audio kept while none is sent (see SttSession.write), to go ahead of the audio that ends the
 * quiet: the soft start of a word (a breath, an "s") comes before the caller's detector hears a voice.
 */
const PRE_ROLL_MS = 300;

type ListenSocket = Awaited<ReturnType<DeepgramClient["listen"]["v1"]["connect"]>>;
type ListenMessage =
  | Deepgram.listen.ListenV1Results
  | Deepgram.listen.ListenV1Metadata
  | Deepgram.listen.ListenV1UtteranceEnd
  | Deepgram.listen.ListenV1SpeechStarted;

/** Deepgram live transcription: 8 kHz mu-law straight from the phone, interim and final results. */
export class DeepgramStt implements STT {
  readonly name: string;
  readonly capabilities: SttCapabilities = {
    streaming: true,
    interimResults: true,
    inputEncodings: ["mulaw", "linear16"],
    sampleRates: [8000, 16000, 24000, 48000],
  };
  private readonly client: DeepgramClient;
  private readonly options: DeepgramSttOptions;
  private readonly model: string;

  constructor(options: DeepgramSttOptions) {
    this.options = options;
    this.model = options.model ?? DEFAULT_MODELS.deepgram;
    this.name = `deepgram:${this.model}@${describeHost(options.baseUrl, "api.deepgram.com")}`;
    this.client = new DeepgramClient({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    });
  }

  async open(options: SttOpenOptions): Promise<SttSession> {
    const { signal } = options;
    if (signal.aborted) throw abortError(signal);
    const hints = options.hints?.filter((h) => h.trim()) ?? [];
    const nova3 = this.model.startsWith("nova-3");
    let socket: ListenSocket;
    try {
      socket = await this.client.listen.v1.connect({
        model: this.model,
        language: options.language,
        encoding: options.encoding,
        sample_rate: options.sampleRate,
        channels: 1,
        interim_results: "true",
        punctuate: "true",
        smart_format: "true",
        vad_events: "true",
        endpointing: this.options.endpointingMs ?? 300,
        utterance_end_ms: Math.max(1000, this.options.utteranceEndMs ?? 1000),
        // Nova-3 takes key terms; older models take keywords.
        ...(hints.length ? (nova3 ? { keyterm: hints } : { keywords: hints }) : {}),
        // A silent reconnect would lose audio mid-utterance: a dropped stream is reported instead.
        reconnectAttempts: 0,
        shouldReconnect: () => false,
        connectionTimeoutInSeconds: (this.options.connectTimeoutMs ?? 5000) / 1000,
        abortSignal: signal,
      });
    } catch (error) {
      throw signal.aborted
        ? abortError(signal)
        : new ProviderError(this.name, errorText(error), { cause: error });
    }
    const session = new DeepgramSession(this.name, socket, options, this.options);
    await session.opened();
    return session;
  }
}

class DeepgramSession implements SttSession {
  private state: "opening" | "open" | "closing" | "closed" = "opening";
  /** When the last message went to Deepgram (audio or KeepAlive). */
  private lastSentAt = Date.now();
  private keepAlive: NodeJS.Timeout | undefined;
  private openWaiter: { resolve(): void; reject(error: Error): void } | undefined;
  private closeWaiter: (() => void) | undefined;
  private hasPendingFinal = false;
  /** Words came in an interim result that no final has covered yet. */
  private hasPendingInterim = false;
  /** Audio not sent yet (see write), the bytes of it in use, and the most it may grow to before it goes. */
  private held: Buffer | undefined;
  private heldBytes = 0;
  private sendAtBytes: number;
  private readonly batchBytes: number;
  private readonly bytesPerMs: number;
  /**
   * Deepgram bills every second of audio it is sent: quiet audio is not sent once its results are in,
   * only its last PRE_ROLL_MS kept, to go ahead of what ends the quiet.
   */
  private keptQuiet = false;
  private readonly preRoll: PreRoll;
  private readonly onAbort = () => this.shutdown();

  constructor(
    private readonly provider: string,
    private readonly socket: ListenSocket,
    private readonly options: SttOpenOptions,
    private readonly settings: DeepgramSttOptions,
  ) {
    socket.on("open", () => {
      this.state = "open";
      this.openWaiter?.resolve();
    });
    socket.on("message", (message) => this.onMessage(message));
    socket.on("error", (error) => this.onTrouble(errorText(error)));
    socket.on("close", (event) => this.onTrouble(`connection closed (${event.code})`));
    options.signal.addEventListener("abort", this.onAbort, { once: true });
    const bytesPerSample = options.encoding === "linear16" ? 2 : 1;
    this.bytesPerMs = (options.sampleRate / 1000) * bytesPerSample;
    this.batchBytes = MAX_BATCH_MS * this.bytesPerMs;
    this.sendAtBytes = this.batchBytes;
    this.preRoll = new PreRoll(PRE_ROLL_MS * this.bytesPerMs);
  }

  opened(): Promise<void> {
    const { signal } = this.options;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new ProviderError(this.provider, "timed out opening the stream")),
        this.settings.connectTimeoutMs ?? 5000,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        this.openWaiter = undefined;
        this.shutdown();
        reject(signal.aborted ? abortError(signal) : error);
      };
      this.openWaiter = {
        resolve: () => {
          clearTimeout(timer);
          this.openWaiter = undefined;
          this.startKeepAlive();
          resolve();
        },
        reject: fail,
      };
      signal.addEventListener("abort", () => this.openWaiter?.reject(abortError(signal)), { once: true });
      this.socket.connect();
    });
  }

  write(audio: Uint8Array, mayWaitMs = 0, quiet = false): void {
    if (this.state !== "open" || audio.length === 0) return;
    // Words still to be finalised need the quiet after them: Deepgram's endpointing counts it.
    if (quiet && !this.hasPendingFinal && !this.hasPendingInterim) {
      if (!this.keptQuiet) {
        this.sendHeld();
        this.keptQuiet = true;
      }
      this.preRoll.keep(audio);
      return;
    }
    if (this.keptQuiet) {
      this.keptQuiet = false;
      const kept = this.preRoll.take();
      if (kept !== undefined) this.send(kept);
    }
    if (mayWaitMs > 0 && this.hold(audio, mayWaitMs * this.bytesPerMs)) return;
    this.sendHeld();
    this.send(audio);
  }

  /**
   * Keeps audio that may wait to send with what follows: one message of up to `mayWait` bytes' worth
   * (MAX_BATCH_MS at most) instead of a message a frame. False when it does not fit.
   */
  private hold(audio: Uint8Array, mayWait: number): boolean {
    const capacity = this.batchBytes;
    if (this.heldBytes + audio.length > capacity) {
      this.sendHeld();
      if (audio.length > capacity) return false;
    }
    // The last batch went to the socket by reference: each batch has a buffer of its own.
    this.held ??= Buffer.allocUnsafe(capacity);
    this.held.set(audio, this.heldBytes);
    this.heldBytes += audio.length;
    // Audio held earlier may have less time to wait than this: the batch goes when its shortest is up.
    if (mayWait < this.sendAtBytes) this.sendAtBytes = mayWait;
    if (this.heldBytes >= this.sendAtBytes) this.sendHeld();
    return true;
  }

  private sendHeld(): void {
    const held = this.held;
    if (held === undefined || this.heldBytes === 0) return;
    const bytes = this.heldBytes;
    this.held = undefined;
    this.heldBytes = 0;
    this.sendAtBytes = this.batchBytes;
    this.send(bytes === held.length ? held : held.subarray(0, bytes));
  }

  private send(audio: Uint8Array): void {
    if (this.state !== "open") return;
    this.lastSentAt = Date.now();
    try {
      this.socket.sendMedia(audio);
    } catch (error) {
      this.onTrouble(errorText(error));
    }
  }

  flush(): void {
    if (this.state !== "open") return;
    this.sendHeld();
    try {
      this.socket.sendFinalize({ type: "Finalize" });
    } catch (error) {
      this.onTrouble(errorText(error));
    }
  }

  async close(): Promise<void> {
    if (this.state !== "open") {
      this.shutdown();
      return;
    }
    this.sendHeld();
    this.state = "closing";
    // CloseStream makes Deepgram send what it still holds, then Metadata, then close the socket.
    const drained = new Promise<void>((resolve) => {
      this.closeWaiter = resolve;
      setTimeout(resolve, this.settings.closeTimeoutMs ?? 2000).unref();
    });
    try {
      this.socket.sendCloseStream({ type: "CloseStream" });
      await drained;
    } catch {
      // The socket is already gone; nothing left to drain.
    }
    this.shutdown();
  }

  private onMessage(message: ListenMessage): void {
    if (this.state === "closed") return;
    switch (message.type) {
      case "SpeechStarted":
        this.emit({ type: "speech_started" });
        break;
      case "Results": {
        const text = message.channel?.alternatives?.[0]?.transcript?.trim() ?? "";
        if (!message.is_final) {
          if (text) {
            this.hasPendingInterim = true;
            this.emit({ type: "interim", text });
          }
          break;
        }
        this.hasPendingInterim = false;
        // A flush asks for the end of the turn, so its result closes the utterance.
        const endOfUtterance = Boolean(message.speech_final || message.from_finalize);
        if (text || (endOfUtterance && this.hasPendingFinal)) {
          this.emit({ type: "final", text, endOfUtterance });
          this.hasPendingFinal = !endOfUtterance;
        }
        break;
      }
      case "UtteranceEnd":
        // Deepgram saw the words stop even though endpointing never fired (e.g. a noisy line).
        if (this.hasPendingFinal) {
          this.emit({ type: "final", text: "", endOfUtterance: true });
          this.hasPendingFinal = false;
        }
        break;
    }
  }

  private onTrouble(message: string): void {
    if (this.state === "closing") {
      this.closeWaiter?.();
      return;
    }
    if (this.state === "closed") return;
    const error = new ProviderError(this.provider, message);
    if (this.state === "opening") {
      this.openWaiter?.reject(error);
      return;
    }
    this.shutdown();
    if (!this.options.signal.aborted) this.emit({ type: "error", error });
  }

  /** A KeepAlive `keepAliveMs` after the last message, whatever it was; one timer, moved only when due. */
  private startKeepAlive(): void {
    const every = this.settings.keepAliveMs ?? 4000;
    const due = () => {
      if (this.state !== "open") return;
      const quietFor = Date.now() - this.lastSentAt;
      if (quietFor >= every) {
        try {
          this.socket.sendKeepAlive({ type: "KeepAlive" });
        } catch (error) {
          this.onTrouble(errorText(error));
          return;
        }
        this.lastSentAt = Date.now();
      }
      this.keepAlive = setTimeout(due, quietFor >= every ? every : every - quietFor);
      this.keepAlive.unref();
    };
    this.lastSentAt = Date.now();
    this.keepAlive = setTimeout(due, every);
    this.keepAlive.unref();
  }

  private shutdown(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this.keepAlive);
    this.options.signal.removeEventListener("abort", this.onAbort);
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
  }

  private emit(event: SttEvent): void {
    try {
      this.options.onEvent(event);
    } catch {
      // A listener's failure must not tear down the audio stream.
    }
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (error && typeof error === "object" && "message" in error) return String(error.message);
  return "connection failed";
}
