import { abortError } from "../abort.ts";
import { type FallbackOptions, FallbackOrder } from "../fallback-order.ts";
import type { STT, SttCapabilities, SttEvent, SttOpenOptions, SttSession } from "./stt.ts";

/** Recent audio kept until the first transcript, to replay into a replacement stream (5 s of 8 kHz mu-law). */
const MAX_BUFFER_BYTES = 40_000;

/**
 * Opens the first STT that accepts the stream. If a session fails before it produced anything, the next
 * provider takes over and is given the recent audio (a dying socket swallows what was sent into it
 * before the failure shows); after the first transcript a failure is
 * passed on, since a new stream would not know what was already heard.
 */
export class FallbackStt implements STT {
  readonly name: string;
  readonly capabilities: SttCapabilities;
  private readonly order: FallbackOrder<STT>;

  constructor(
    providers: readonly STT[],
    private readonly options: FallbackOptions = {},
  ) {
    this.order = new FallbackOrder(providers, options.cooldownMs ?? 30_000);
    this.name = providers.map((p) => p.name).join(" → ");
    this.capabilities = {
      streaming: providers.every((p) => p.capabilities.streaming),
      interimResults: providers.every((p) => p.capabilities.interimResults),
      inputEncodings: (["mulaw", "linear16"] as const).filter((e) =>
        providers.every((p) => p.capabilities.inputEncodings.includes(e)),
      ),
      sampleRates: [
        ...new Set(
          providers.flatMap((p) =>
            p.capabilities.sampleRates.filter((r) =>
              providers.every((q) => q.capabilities.sampleRates.includes(r)),
            ),
          ),
        ),
      ],
    };
  }

  async open(options: SttOpenOptions): Promise<SttSession> {
    const session = new FallbackSession(this.order, options, this.options);
    await session.start();
    return session;
  }
}

class FallbackSession implements SttSession {
  private remaining: number[];
  private current: SttSession | undefined;
  private currentIndex = -1;
  private heardSomething = false;
  private switching = false;
  private buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private closed = false;

  constructor(
    private readonly order: FallbackOrder<STT>,
    private readonly options: SttOpenOptions,
    private readonly fallback: FallbackOptions,
  ) {
    this.remaining = order.order();
  }

  async start(): Promise<void> {
    let lastError: unknown;
    while (this.remaining.length > 0) {
      const { signal } = this.options;
      if (signal.aborted) throw abortError(signal);
      const index = this.remaining.shift()!;
      const provider = this.order.item(index);
      // Events are tagged with their provider so a stream we have moved away from cannot speak.
      this.currentIndex = index;
      try {
        this.current = await provider.open({ ...this.options, onEvent: (e) => this.onEvent(index, e) });
        return;
      } catch (error) {
        this.currentIndex = -1;
        if (signal.aborted) throw abortError(signal);
        this.order.failed(index);
        this.fallback.onFallback?.(provider.name, error);
        lastError = error;
      }
    }
    throw lastError;
  }

  write(audio: Uint8Array, mayWaitMs = 0, quiet = false): void {
    if (this.closed) return;
    if (!this.heardSomething) this.remember(audio);
    if (!this.switching) this.current?.write(audio, mayWaitMs, quiet);
  }

  private remember(audio: Uint8Array): void {
    this.buffered.push(audio.slice());
    this.bufferedBytes += audio.length;
    while (this.bufferedBytes > MAX_BUFFER_BYTES && this.buffered.length > 1) {
      this.bufferedBytes -= this.buffered.shift()!.length;
    }
  }

  flush(): void {
    if (!this.switching) this.current?.flush();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.current?.close();
  }

  private onEvent(index: number, event: SttEvent): void {
    if (index !== this.currentIndex || this.closed) return;
    if (event.type !== "error") {
      if (!this.heardSomething) {
        this.order.succeeded(index);
        this.buffered = [];
        this.bufferedBytes = 0;
      }
      this.heardSomething = true;
      this.options.onEvent(event);
      return;
    }
    if (this.heardSomething || this.remaining.length === 0 || this.options.signal.aborted) {
      this.options.onEvent(event);
      return;
    }
    void this.switchOver(index, event.error);
  }

  private async switchOver(failedIndex: number, error: Error): Promise<void> {
    this.order.failed(failedIndex);
    this.fallback.onFallback?.(this.order.item(failedIndex).name, error);
    this.switching = true;
    this.currentIndex = -1;
    const failed = this.current;
    this.current = undefined;
    void failed?.close().catch(() => {});
    try {
      await this.start();
    } catch (startError) {
      this.switching = false;
      if (!this.options.signal.aborted) {
        this.options.onEvent({ type: "error", error: startError instanceof Error ? startError : error });
      }
      return;
    }
    this.switching = false;
    const replacement = this.current as SttSession | undefined;
    for (const chunk of this.buffered) replacement?.write(chunk);
    if (this.closed) await replacement?.close();
  }
}
