import { framesForMs } from "../media/frames.ts";

export interface EndOfTurnOptions {
  /** Quiet after speech that ends the callee's turn when the recogniser does not say so itself. */
  silenceMs?: number;
  /** After asking the recogniser to flush, how long to wait for words before treating it as noise. */
  flushWaitMs?: number;
  /**
   * Quiet after speech at which the words heard so far are offered as a preview of the turn, so a reply
   * can be prepared before the recogniser's final; 0 turns previews off. Only words given after the last
   * voiced frame count: they cover everything that was said.
   */
  previewQuietMs?: number;
}

export type EndOfTurnAction =
  | { type: "none" }
  | { type: "flush" }
  | { type: "turn"; text: string }
  /** The callee has gone quiet and these words cover what they said; the final may still differ. */
  | { type: "preview"; text: string };

/** Quiet after speech before a preview of the turn is offered (a pause between words is shorter). */
export const DEFAULT_PREVIEW_QUIET_MS = 60;

const NONE: EndOfTurnAction = { type: "none" };
const FLUSH: EndOfTurnAction = { type: "flush" };

/**
 * Decides when the callee has finished a turn, from two sources: the recogniser's own end-of-utterance
 * (when it gives one, it wins: it has heard the words) and local silence after speech (the fallback,
 * with a hangover long enough to span a pause for thought). Time is counted in frames.
 */
export class EndOfTurnDetector {
  private readonly silenceFrames: number;
  private readonly flushWaitFrames: number;
  private finals: string[] = [];
  private interim = "";
  private endOfUtterance = false;
  private speechSeen = false;
  private flushedAt = -1;
  private readonly previewFrames: number;
  /** The frame at which the latest words (interim or final) arrived. */
  private wordsAt = -1;
  /** The text last offered as a preview in this turn (null: none, or speech resumed since). */
  private previewed: string | null = null;

  constructor(options: EndOfTurnOptions = {}) {
    this.silenceFrames = framesForMs(options.silenceMs ?? 700);
    this.flushWaitFrames = framesForMs(options.flushWaitMs ?? 1500);
    const previewMs = options.previewQuietMs ?? DEFAULT_PREVIEW_QUIET_MS;
    this.previewFrames = previewMs > 0 ? framesForMs(previewMs) : Number.POSITIVE_INFINITY;
  }

  /** A preview was offered and has not yet been followed by its turn or by more speech. */
  get previewOpen(): boolean {
    return this.previewed !== null;
  }

  /** Everything recognised in the current turn so far (finals plus the latest interim). */
  get heard(): string {
    return [...this.finals, this.interim].filter((t) => t.length > 0).join(" ");
  }

  get pending(): boolean {
    return this.speechSeen || this.finals.length > 0;
  }

  onSpeech(): void {
    this.speechSeen = true;
    this.flushedAt = -1;
  }

  /** `frame`: the index of the frame being heard when the words arrived. */
  onInterim(text: string, frame = -1): void {
    this.interim = text.trim();
    this.wordsAt = frame;
  }

  onFinal(text: string, endOfUtterance: boolean, frame = -1): void {
    const t = text.trim();
    this.interim = "";
    this.wordsAt = frame;
    if (t.length > 0) this.finals.push(t);
    if (endOfUtterance && this.finals.length > 0) this.endOfUtterance = true;
  }

  /**
   * Call on every frame and after every recogniser event. `frame`: the current frame index;
   * `speaking`: the VAD's state; `lastVoicedFrame`: the last frame with speech.
   */
  evaluate(frame: number, speaking: boolean, lastVoicedFrame: number): EndOfTurnAction {
    // Measured from the last voiced frame: the VAD's hangover keeps `speaking` true across short pauses.
    const quietFor = frame - lastVoicedFrame;
    if (this.finals.length > 0 && (this.endOfUtterance || (!speaking && quietFor >= this.silenceFrames)))
      return this.take();
    if (quietFor >= this.previewFrames && this.wordsAt > lastVoicedFrame && this.speechSeen) {
      const text = this.heard;
      if (text.length > 0 && text !== this.previewed) {
        this.previewed = text;
        return { type: "preview", text };
      }
    }
    if (this.finals.length > 0) return NONE;
    if (!this.speechSeen || speaking) return NONE;
    if (this.flushedAt < 0) {
      if (quietFor >= this.silenceFrames) {
        this.flushedAt = frame;
        return FLUSH;
      }
      return NONE;
    }
    if (frame - this.flushedAt >= this.flushWaitFrames) {
      // Sound without words (a cough, a door): not a turn.
      this.reset();
    }
    return NONE;
  }

  private take(): EndOfTurnAction {
    const text = this.finals.join(" ");
    this.reset();
    return { type: "turn", text };
  }

  /** The callee spoke again after a preview: it no longer stands. */
  onVoiced(): void {
    this.previewed = null;
  }

  private reset(): void {
    this.previewed = null;
    this.wordsAt = -1;
    this.finals = [];
    this.interim = "";
    this.endOfUtterance = false;
    this.speechSeen = false;
    this.flushedAt = -1;
  }
}
