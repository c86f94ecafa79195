import { msForBytes } from "./frames.ts";
import type { MediaStream } from "./media-stream.ts";

interface Segment {
  mark: string;
  text: string;
  bytes: number;
  /** When its first audio started playing out (estimated from marks), or null if not yet. */
  startedAt: number | null;
  ended: boolean;
  played: boolean;
}

export interface PlaybackTrackerOptions {
  now?: () => number;
  /** Marks that never come (a far end that drops them) are assumed played this long after due. */
  markGraceMs?: number;
}

let sessionCounter = 0;

/**
 * Knows which part of the agent's speech has actually been played to the callee. Each spoken chunk is
 * sent followed by a mark; a chunk is played when its mark comes back. On `clear()` (barge-in) the
 * chunk that was playing is cut at the last word whose time has fully passed, so the transcript holds
 * only what the callee could have heard.
 */
export class PlaybackTracker {
  private readonly segments: Segment[] = [];
  private readonly now: () => number;
  private readonly graceMs: number;
  private readonly prefix = `cc${++sessionCounter}-`;
  private seq = 0;
  private drainWaiters: Array<() => void> = [];
  private fallback: NodeJS.Timeout | undefined;
  /** Estimated moment the audio sent so far finishes playing. */
  private playoutEndsAt = 0;

  constructor(
    private readonly media: MediaStream,
    options: PlaybackTrackerOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.graceMs = options.markGraceMs ?? 1500;
  }

  /** True while audio has been sent that has not been played out yet. */
  get playing(): boolean {
    return this.segments.some((s) => s.bytes > 0 && !s.played);
  }

  /** Starts a chunk of speech; its audio follows through `send`, then `end`. */
  begin(text: string): void {
    this.segments.push({
      mark: `${this.prefix}${++this.seq}`,
      text,
      bytes: 0,
      startedAt: null,
      ended: false,
      played: false,
    });
  }

  send(audio: Uint8Array): void {
    const segment = this.segments.at(-1);
    if (segment === undefined || segment.ended || audio.length === 0) return;
    const now = this.now();
    if (segment.startedAt === null && !this.playing) segment.startedAt = now;
    segment.bytes += audio.length;
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
    this.media.mark(segment.mark);
    this.armFallback();
  }

  /** Feed every mark the media stream reports; unknown marks are ignored. */
  onMark(name: string): void {
    if (!name.startsWith(this.prefix)) return;
    const now = this.now();
    for (let i = 0; i < this.segments.length; i++) {
      const s = this.segments[i]!;
      if (s.played) continue;
      s.played = true;
      if (s.mark === name) {
        const next = this.segments[i + 1];
        if (next !== undefined && next.bytes > 0 && next.startedAt === null) next.startedAt = now;
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

  /** Stops playback now; returns the text that was played out. */
  clear(): string {
    const text = this.playedText();
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
      const fraction = (now - s.startedAt) / msForBytes(s.bytes);
      const words = s.text.split(/\s+/).filter((w) => w.length > 0);
      const spoken = Math.floor(words.length * Math.min(1, Math.max(0, fraction)));
      if (spoken > 0) parts.push(words.slice(0, spoken).join(" "));
      break;
    }
    return parts.join(" ");
  }

  /** Forgets played chunks (between replies). */
  reset(): void {
    if (!this.playing) this.segments.length = 0;
  }

  private armFallback(): void {
    clearTimeout(this.fallback);
    const wait = Math.max(0, this.playoutEndsAt - this.now()) + this.graceMs;
    this.fallback = setTimeout(() => {
      // The far end never confirmed; its audio is long out by now.
      for (const s of this.segments) if (s.ended) s.played = true;
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
