import { randomUUID } from "node:crypto";
import { abortError, ProviderError } from "../abort.ts";
import { AsyncQueue } from "../async-queue.ts";
import type { ContextMessage } from "./elevenlabs-message.ts";
import { type ElevenLabsSocket, type ElevenLabsSocketPool, vendorError } from "./elevenlabs-socket.ts";
import type { TtsStreamEvent, TtsTextStream } from "./tts.ts";

export interface ElevenLabsStreamSettings {
  name: string;
  /** No audio for this long while a flushed segment waits: the vendor is stuck (first audio included). */
  audioTimeoutMs: number;
  /** Sent with each context; absent leaves ElevenLabs' own schedule. */
  chunkLengthSchedule?: readonly number[];
}

/** ElevenLabs' chunk_length_schedule when a context sets none. */
const VENDOR_SCHEDULE: readonly number[] = [120, 160, 250, 290];
/** ElevenLabs allows 5 contexts per connection; segments beyond these wait for one to finish. */
const OPEN_CONTEXTS = 4;
/** How long contexts a reply left generating may take to finish before their connection is dropped. */
const DRAIN_MS = 10_000;

interface Segment {
  contextId: string;
  /** Messages held back while the segment may not open its context yet. */
  held: Record<string, unknown>[];
  /** Messages sent, kept until the reply's first audio in case they must go again on a new connection. */
  sent: Record<string, unknown>[];
  /** Words written but not sent: the vendor would only buffer them (see write). */
  words: string;
  /** The context's step in the chunk_length_schedule: the generations the vendor started on length. */
  step: number;
  opened: boolean;
  flushed: boolean;
  /** Its isFinal came: all its audio is in. */
  final: boolean;
  audio: AsyncQueue<Uint8Array>;
}

/**
 * A reply spoken through ElevenLabs' multi-context WebSocket, one context per segment (chunk of the reply).
 *
 * How audio finds its chunk: every audio message names its context, and a context's `isFinal` comes after
 * its last audio once it was flushed and closed. So each piece of audio belongs to exactly one chunk and
 * the chunk's end is known, by the protocol itself. (Within a single context, flushes are not marked in
 * the audio: telling chunks apart would rest on counting alignment characters, which text normalisation
 * may change.) Contexts generate independently, so a chunk's audio can be generated while the one before
 * it still arrives; it is held here until its turn.
 *
 * A segment's context opens when its first words are written (the connection is asked for when the
 * stream opens, before the model's first token). ElevenLabs generates nothing for a context until its
 * buffer reaches the next length of its chunk_length_schedule, or a flush: words are kept here until
 * either would happen and then go in one message, so synthesis starts when it would have anyway, with a
 * message or two a segment instead of one a word. The segment's last words go with its flush, and its
 * context is closed at its end. On abort the context still taking text is closed, the audio of every
 * context is dropped from then on, and the connection goes back to the pool for the next reply. A
 * failure (before or after the first audio) fails the events with a ProviderError and the connection is
 * closed.
 */
export class ElevenLabsTextStream implements TtsTextStream {
  readonly events: AsyncIterable<TtsStreamEvent>;
  private readonly id = randomUUID().slice(0, 8);
  private readonly segments: Segment[] = [];
  private socket: ElevenLabsSocket | null = null;
  private failure: Error | null = null;
  private ended = false;
  /** Segments fully played out (their events ended). */
  private done = 0;
  private wake: (() => void) | null = null;
  private stallTimer: NodeJS.Timeout | undefined;
  private finished = false;
  /** Set while the connection may still be replaced: until the first audio, for a reused connection. */
  private retry: (() => void) | null = null;
  private retries = 0;

  constructor(
    private readonly pool: ElevenLabsSocketPool,
    voiceId: string,
    private readonly settings: ElevenLabsStreamSettings,
    private readonly signal: AbortSignal,
  ) {
    this.events = this.run();
    signal.addEventListener("abort", this.onAbort, { once: true });
    this.connect(voiceId);
  }

  private connect(voiceId: string): void {
    this.pool.acquire(voiceId, this.signal).then(
      (socket) => {
        if (this.finished || this.signal.aborted) return this.pool.release(socket);
        this.socket = socket;
        const reused = socket.replies > 1;
        this.retry = reused && this.retries < 2 ? () => this.reconnect(voiceId) : null;
        for (const s of this.segments) this.sendHeld(s);
      },
      (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /**
   * A connection kept from an earlier reply that turns out closed (the vendor ended it while idle) is
   * replaced before any audio came, and what was sent goes again: the reply has lost nothing.
   */
  private reconnect(voiceId: string): void {
    this.retries++;
    this.socket?.terminate();
    this.socket = null;
    for (const s of this.segments) {
      s.held.unshift(...s.sent.splice(0));
      s.opened = false;
    }
    this.connect(voiceId);
  }

  write(text: string): void {
    if (this.ended || text.length === 0) return;
    const segment = this.current();
    if (!segment.opened && segment.held.length === 0) {
      // The context opens with a single space, its settings beside it.
      this.queue(segment, {
        text: " ",
        context_id: segment.contextId,
        ...(this.settings.chunkLengthSchedule
          ? { generation_config: { chunk_length_schedule: this.settings.chunkLengthSchedule } }
          : {}),
      });
    }
    segment.words += text;
    const schedule = this.settings.chunkLengthSchedule ?? VENDOR_SCHEDULE;
    const due = schedule[Math.min(segment.step, schedule.length - 1)]!;
    if (segment.words.length < due) return;
    // The vendor generates on this message and counts again from nothing, to the schedule's next length.
    segment.step++;
    this.queue(segment, { text: this.takeWords(segment), context_id: segment.contextId });
  }

  flush(): number {
    const segment = this.current();
    segment.flushed = true;
    if (segment.held.length === 0 && !segment.opened) segment.audio.end();
    else {
      this.queue(segment, { text: this.takeWords(segment), context_id: segment.contextId, flush: true });
      this.queue(segment, { context_id: segment.contextId, close_context: true });
    }
    this.armStall();
    this.changed();
    return this.segments.length - 1;
  }

  private takeWords(segment: Segment): string {
    const words = segment.words;
    segment.words = "";
    return words;
  }

  end(): void {
    this.ended = true;
    this.changed();
  }

  private current(): Segment {
    const last = this.segments.at(-1);
    if (last !== undefined && !last.flushed) return last;
    const segment: Segment = {
      contextId: `${this.id}-${this.segments.length}`,
      held: [],
      sent: [],
      words: "",
      step: 0,
      opened: false,
      flushed: false,
      final: false,
      audio: new AsyncQueue<Uint8Array>(),
    };
    this.segments.push(segment);
    return segment;
  }

  private queue(segment: Segment, message: Record<string, unknown>): void {
    segment.held.push(message);
    this.sendHeld(segment);
  }

  /** Sends what a segment holds, once connected and once its context may be open. */
  private sendHeld(segment: Segment): void {
    const socket = this.socket;
    if (socket === null || this.finished) return;
    const index = this.segments.indexOf(segment);
    if (index >= this.done + OPEN_CONTEXTS) return;
    if (!segment.opened) {
      segment.opened = true;
      socket.on(segment.contextId, {
        message: (m) => this.onMessage(segment, m),
        closed: (error) => this.lost(socket, error),
      });
    }
    for (const message of segment.held.splice(0)) {
      socket.send(message);
      if (this.retry !== null) segment.sent.push(message);
    }
  }

  private lost(socket: ElevenLabsSocket, error: Error): void {
    if (socket !== this.socket) return;
    if (this.retry !== null && !this.finished) this.retry();
    else this.fail(error);
  }

  private onMessage(segment: Segment, said: ContextMessage): void {
    if (said.error !== undefined) {
      this.fail(vendorError(this.settings.name, said.error));
      return;
    }
    if (said.audio !== null) {
      if (this.retry !== null) {
        this.retry = null;
        for (const s of this.segments) s.sent.length = 0;
      }
      segment.audio.push(said.audio);
      this.armStall();
    }
    if (said.final) {
      this.socket?.off(segment.contextId);
      segment.final = true;
      segment.audio.end();
      this.armStall();
    }
  }

  /** Restarts the clock on the vendor while any flushed segment still waits for its audio. */
  private armStall(): void {
    clearTimeout(this.stallTimer);
    if (this.finished) return;
    const waiting = this.segments.some((s) => s.flushed && s.opened && !s.final);
    const unsent = this.segments.some((s) => s.flushed && !s.opened);
    if (!waiting && !unsent) return;
    this.stallTimer = setTimeout(() => {
      this.fail(new ProviderError(this.settings.name, "no audio in time", { kind: "no_first_token" }));
    }, this.settings.audioTimeoutMs);
    this.stallTimer.unref?.();
  }

  private readonly onAbort = () => {
    const error = abortError(this.signal);
    for (const s of this.segments) s.audio.fail(error);
    this.finish(false);
  };

  private fail(error: Error): void {
    if (this.finished) return;
    this.failure = error;
    for (const s of this.segments) s.audio.fail(error);
    this.finish(true);
  }

  /** Lets go of the connection: closes the contexts still open, or the whole connection when broken. */
  private finish(broken: boolean): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.stallTimer);
    this.signal.removeEventListener("abort", this.onAbort);
    this.changed();
    const socket = this.socket;
    if (socket === null) return;
    for (const s of this.segments) {
      if (!s.opened) continue;
      socket.off(s.contextId);
      // A flushed context was closed with its flush and finishes what it generates (ElevenLabs does not
      // cancel a flush); its late audio is dropped by the connection. One still taking text is closed,
      // which drops the text it buffered.
      if (!s.flushed && !s.final) socket.send({ context_id: s.contextId, close_context: true });
    }
    if (broken) socket.terminate();
    else this.releaseWhenDrained(socket);
  }

  /**
   * A reply cut short leaves flushed contexts generating on the connection, and ElevenLabs allows only 5
   * at once: the connection goes back to the pool once their isFinal came (the next reply opens its own
   * meanwhile), or is closed if they take too long.
   */
  private releaseWhenDrained(socket: ElevenLabsSocket): void {
    const draining = this.segments.filter((s) => s.opened && s.flushed && !s.final);
    if (draining.length === 0) {
      this.pool.release(socket);
      return;
    }
    let left = draining.length;
    const timer = setTimeout(() => socket.terminate(), DRAIN_MS);
    timer.unref?.();
    for (const s of draining) {
      socket.on(s.contextId, {
        message: (m) => {
          if (!m.final) return;
          socket.off(s.contextId);
          if (--left > 0) return;
          clearTimeout(timer);
          this.pool.release(socket);
        },
        closed: () => clearTimeout(timer),
      });
    }
  }

  private changed(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async *run(): AsyncGenerator<TtsStreamEvent> {
    try {
      for (let index = 0; ; index++) {
        while (index >= this.segments.length || !this.segments[index]!.flushed) {
          this.check();
          if (this.ended && index >= this.segments.length) return;
          if (this.ended && !this.segments[index]!.flushed) return;
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
        }
        const segment = this.segments[index]!;
        for await (const audio of segment.audio) {
          this.check();
          yield { type: "audio", segment: index, audio };
        }
        this.check();
        yield { type: "end", segment: index };
        this.done = index + 1;
        // A context finished: segments waiting for room may open theirs now.
        for (const s of this.segments) this.sendHeld(s);
      }
    } finally {
      // Every segment played, or the reader left early: either way the connection is free.
      this.finish(this.failure !== null);
    }
  }

  private check(): void {
    if (this.signal.aborted) throw abortError(this.signal);
    if (this.failure !== null) throw this.failure;
  }
}
