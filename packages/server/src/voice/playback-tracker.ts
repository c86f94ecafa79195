import { msForBytes } from "../media/frames.ts";
import type { MediaStream } from "../media/media-stream.ts";
import type { SpokenTextJournal } from "./spoken-text.ts";

interface Segment {
  mark: string;
  text: string;
  bytes: number;
  /** Its audio, kept until played so a paused reply can be sent again from where it stopped. */
  chunks: Uint8Array[];
  /** When its first audio started playing out (estimated from marks), or null if not yet. */
  startedAt: number | null;
  /** The line clock (see `lineClock`) at that moment. */
  startedOnLine: number;
  ended: boolean;
  played: boolean;
}

export interface PlaybackTrackerOptions {
  now?: () => number;
  /** Marks that never come (a far end that drops them) are assumed played this long after due. */
  markGraceMs?: number;
  /** Told the text of each chunk under the mark that follows its audio (simulated far ends read it). */
  journal?: SpokenTextJournal;
  /**
   * Milliseconds of audio the line has carried so far (the far end's frames received). Audio played out
   * is never credited beyond what this clock has advanced, so a stalled process, whose wall clock runs
   * on while the line's frames wait, does not credit words the callee never heard.
   */
  lineClock?: () => number;
}

let sessionCounter = 0;

/**
 * Knows which part of the agent's speech has actually been played to the callee. Each spoken chunk is
 * sent followed by a mark; a chunk is played when its mark comes back. On `clear()` (barge-in) the
 * chunk that was playing is cut at the last word whose time has fully passed, so the transcript holds
 * only what the callee could have heard. `pause()` stops the audio the same way but keeps the rest,
 * so `resume()` can carry on from the first word not heard.
 */
export class PlaybackTracker {
  private readonly segments: Segment[] = [];
  private readonly now: () => number;
  private readonly graceMs: number;
  private readonly journal: SpokenTextJournal | undefined;
  private readonly lineClock: (() => number) | undefined;
  private readonly prefix = `cc${++sessionCounter}-`;
  private seq = 0;
  private drainWaiters: Array<() => void> = [];
  private fallback: NodeJS.Timeout | undefined;
  /** Estimated moment the audio sent so far finishes playing. */
  private playoutEndsAt = 0;
  private paused = false;

  constructor(
    private readonly media: MediaStream,
    options: PlaybackTrackerOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.graceMs = options.markGraceMs ?? 1500;
    this.journal = options.journal;
    this.lineClock = options.lineClock;
  }

  /** True while audio has been sent that has not been played out yet. */
  get playing(): boolean {
    return this.segments.some((s) => s.bytes > 0 && !s.played);
  }

  /** Starts a chunk of speech; its audio follows through `send`, then `end`. */
  begin(text: string): void {
    const mark = this.nextMark();
    this.journal?.note(mark, text);
    this.segments.push({
      mark,
      text,
      bytes: 0,
      chunks: [],
      startedAt: null,
      startedOnLine: 0,
      ended: false,
      played: false,
    });
  }

  send(audio: Uint8Array): void {
    const segment = this.segments.at(-1);
    if (segment === undefined || segment.ended || audio.length === 0) return;
    segment.chunks.push(audio);
    segment.bytes += audio.length;
    if (this.paused) return;
    const now = this.now();
    if (segment.startedAt === null && !this.playingBefore(segment)) this.start(segment, now);
    this.playoutEndsAt = Math.max(this.playoutEndsAt, now) + msForBytes(audio.length);
    this.media.send(audio);
  }

  end(): void {
    const segment = this.segments.at(-1);
    if (segment === undefined || segment.ended) return;
    segment.ended = true;
    if (segment.bytes === 0) {
      segment.played = true;
      return;
    }
    if (this.paused) return;
    this.media.mark(segment.mark);
    this.armFallback();
  }

  /** Feed every mark the media stream reports; unknown marks are ignored. */
  onMark(name: string): void {
    // A mark sent before a pause or clear may still arrive; it names no chunk that is waiting now.
    if (!name.startsWith(this.prefix) || !this.segments.some((s) => s.mark === name && !s.played)) return;
    const now = this.now();
    for (let i = 0; i < this.segments.length; i++) {
      const s = this.segments[i]!;
      if (s.played) continue;
      s.played = true;
      s.chunks = [];
      if (s.mark === name) {
        const next = this.segments[i + 1];
        if (next !== undefined && next.bytes > 0 && next.startedAt === null) this.start(next, now);
        break;
      }
    }
    this.notifyIfDrained();
  }

  /** Resolves once everything sent so far has been played (or the signal aborts). */
  drained(signal?: AbortSignal): Promise<void> {
    if (!this.playing) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        resolve();
      };
      signal?.addEventListener("abort", done, { once: true });
      this.drainWaiters.push(done);
    });
  }

  /**
   * Stops the audio now but keeps everything not yet heard, from the first word not fully played, for
   * `resume()`. Audio that arrives meanwhile is kept too. `clear()` still drops it all.
   */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    clearTimeout(this.fallback);
    const now = this.now();
    const i = this.segments.findIndex((s) => !s.played && s.bytes > 0);
    const current = this.segments[i];
    if (current?.startedAt != null) {
      const words = splitWords(current.text);
      const spoken = spokenWords(words.length, current, this.playedMs(current, now));
      if (spoken > 0) {
        // The words heard become a played chunk of their own; the rest waits with its audio.
        const offset = Math.floor((current.bytes * spoken) / words.length);
        this.segments.splice(i, 0, {
          mark: "",
          text: words.slice(0, spoken).join(" "),
          bytes: offset,
          chunks: [],
          startedAt: current.startedAt,
          startedOnLine: current.startedOnLine,
          ended: true,
          played: true,
        });
        current.text = words.slice(spoken).join(" ");
        current.chunks = dropBytes(current.chunks, offset);
        current.bytes -= offset;
      }
      current.startedAt = null;
    }
    // New names: a mark of the audio just dropped must not count for the audio sent again.
    for (const s of this.segments) {
      if (s.played) continue;
      s.mark = this.nextMark();
      this.journal?.note(s.mark, s.text);
    }
    this.media.clear();
    this.playoutEndsAt = 0;
  }

  /** Sends again what `pause()` held back, and goes on as before. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const now = this.now();
    let marked = false;
    for (const s of this.segments) {
      if (s.played) continue;
      if (s.bytes > 0 && s.startedAt === null && !this.playingBefore(s)) this.start(s, now);
      for (const audio of s.chunks) {
        this.playoutEndsAt = Math.max(this.playoutEndsAt, now) + msForBytes(audio.length);
        this.media.send(audio);
      }
      if (s.ended && s.bytes > 0) {
        this.media.mark(s.mark);
        marked = true;
      }
    }
    if (marked) this.armFallback();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops playback now; returns the text that was played out. */
  clear(): string {
    const text = this.playedText();
    this.paused = false;
    this.media.clear();
    for (const s of this.segments) s.played = true;
    this.segments.length = 0;
    this.playoutEndsAt = 0;
    this.notifyIfDrained();
    return text;
  }

  /** Text of the whole chunks played so far, plus the words of the current chunk already out. */
  playedText(): string {
    const now = this.now();
    const parts: string[] = [];
    for (const s of this.segments) {
      if (s.played && s.bytes > 0) {
        parts.push(s.text);
        continue;
      }
      if (s.played || s.startedAt === null || s.bytes === 0) break;
      const words = splitWords(s.text);
      const spoken = spokenWords(words.length, s, this.playedMs(s, now));
      if (spoken > 0) parts.push(words.slice(0, spoken).join(" "));
      break;
    }
    return parts.join(" ");
  }

  /** Forgets played chunks (between replies). */
  reset(): void {
    if (!this.playing) this.segments.length = 0;
  }

  private start(segment: Segment, now: number): void {
    segment.startedAt = now;
    segment.startedOnLine = this.lineClock?.() ?? 0;
  }

  /** How much of a playing segment is out: by the wall clock, and no more than the line carried. */
  private playedMs(s: Segment, now: number): number {
    const wall = s.startedAt === null ? 0 : now - s.startedAt;
    return this.lineClock === undefined ? wall : Math.min(wall, this.lineClock() - s.startedOnLine);
  }

  private nextMark(): string {
    return `${this.prefix}${++this.seq}`;
  }

  /** Whether audio of an earlier chunk is still to be played out before `segment`. */
  private playingBefore(segment: Segment): boolean {
    for (const s of this.segments) {
      if (s === segment) return false;
      if (s.bytes > 0 && !s.played) return true;
    }
    return false;
  }

  private armFallback(): void {
    clearTimeout(this.fallback);
    const wait = Math.max(0, this.playoutEndsAt - this.now()) + this.graceMs;
    this.fallback = setTimeout(() => {
      // The far end never confirmed; its audio is long out by now.
      for (const s of this.segments) {
        if (!s.ended) continue;
        s.played = true;
        s.chunks = [];
      }
      this.notifyIfDrained();
    }, wait);
    this.fallback.unref?.();
  }

  private notifyIfDrained(): void {
    if (this.playing) return;
    clearTimeout(this.fallback);
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  dispose(): void {
    clearTimeout(this.fallback);
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

/** Whole words of a playing chunk already out after `playedMs` of it, estimated from its audio's length. */
function spokenWords(words: number, s: Segment, playedMs: number): number {
  if (s.startedAt === null || s.bytes === 0) return 0;
  const fraction = playedMs / msForBytes(s.bytes);
  return Math.floor(words * Math.min(1, Math.max(0, fraction)));
}

/** The chunks without their first `bytes` bytes (shares the buffers; nothing is copied). */
function dropBytes(chunks: Uint8Array[], bytes: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let skip = bytes;
  for (const c of chunks) {
    if (skip >= c.length) {
      skip -= c.length;
      continue;
    }
    out.push(skip > 0 ? c.subarray(skip) : c);
    skip = 0;
  }
  return out;
}
