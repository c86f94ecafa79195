import type { FrameFeatures } from "../media/frames.ts";
import { FRAME_MS } from "../media/media-stream.ts";

export interface MusicDetectorOptions {
  /** Unbroken sound for this long is taken for music: a long spoken sentence can run 6-7 s unbroken. */
  minMs?: number;
  /** Gaps up to this long do not break the sound (beats, note changes). */
  maxGapMs?: number;
  minRms?: number;
}

/**
 * Hold music is sound that does not stop: people pause between phrases, a hold loop's music does not.
 * Reports once per stretch of continuous sound, after `minMs`.
 */
export class MusicDetector {
  private readonly minFrames: number;
  private readonly maxGapFrames: number;
  private readonly minEnergy: number;
  private soundFrames = 0;
  private gapFrames = 0;
  private reported = false;

  constructor(options: MusicDetectorOptions = {}) {
    this.minFrames = Math.round((options.minMs ?? 8000) / FRAME_MS);
    this.maxGapFrames = Math.round((options.maxGapMs ?? 100) / FRAME_MS);
    const rms = options.minRms ?? 150;
    this.minEnergy = rms * rms;
  }

  /** True while a stretch of continuous sound long enough to be music is going on. */
  get active(): boolean {
    return this.reported;
  }

  /** Returns true once, when a stretch of sound becomes long enough to be music. */
  process(f: FrameFeatures): boolean {
    if (f.energy >= this.minEnergy) {
      this.soundFrames += this.gapFrames + 1;
      this.gapFrames = 0;
    } else if (this.soundFrames > 0 && ++this.gapFrames > this.maxGapFrames) {
      this.soundFrames = 0;
      this.gapFrames = 0;
      this.reported = false;
    }
    if (!this.reported && this.soundFrames >= this.minFrames) {
      this.reported = true;
      return true;
    }
    return false;
  }
}
