import { framesForMs } from "../media/frames.ts";

export interface EndOfTurnOptions {
  /** Quiet after speech that ends the callee's turn when the recogniser does not say so itself. */
  silenceMs?: number;
  /** After asking the recogniser to flush, how long to wait for words before treating it as noise. */
  flushWaitMs?: number;
}

export type EndOfTurnAction = { type: "none" } | { type: "flush" } | { type: "turn"; text: string };

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

  constructor(options: EndOfTurnOptions = {}) {
    this.silenceFrames = framesForMs(options.silenceMs ?? 700);
    this.flushWaitFrames = framesForMs(options.flushWaitMs ?? 1500);
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

  onInterim(text: string): void {
    this.interim = text.trim();
  }

  onFinal(text: string, endOfUtterance: boolean): void {
    const t = text.trim();
    this.interim = "";
    if (t.length > 0) this.finals.push(t);
    if (endOfUtterance && this.finals.length > 0) this.endOfUtterance = true;
  }

  /**
   * Call on every frame and after every recogniser event. `frame`: the current frame index;
   * `speaking`: the VAD's state; `lastVoicedFrame`: the last frame with speech.
   */
  evaluate(frame: number, speaking: boolean, lastVoicedFrame: number): EndOfTurnAction {
    const quietFor = speaking ? 0 : frame - lastVoicedFrame;
    if (this.finals.length > 0) {
      if (this.endOfUtterance || quietFor >= this.silenceFrames) return this.take();
      return NONE;
    }
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

  private reset(): void {
    this.finals = [];
    this.interim = "";
    this.endOfUtterance = false;
    this.speechSeen = false;
    this.flushedAt = -1;
  }
}
