import { mulawDecodeSample } from "../../media/mulaw.ts";

// |sample| per mu-law byte: a frame's loudness is one table lookup per byte.
const MAGNITUDE = new Uint16Array(256);
for (let i = 0; i < 256; i++) MAGNITUDE[i] = Math.abs(mulawDecodeSample(i));

/** Mean absolute amplitude of a mu-law frame (0 for digital silence, ~1000+ for speech at a normal level). */
export function frameLevel(frame: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += MAGNITUDE[frame[i]!]!;
  return frame.length === 0 ? 0 : sum / frame.length;
}

export interface EnergyVadOptions {
  /** Mean absolute amplitude above which a frame counts as voiced. */
  threshold?: number;
  /** Voiced frames in a row that start speech (filters clicks). */
  onsetFrames?: number;
  /** Quiet frames in a row that end speech (bridges the pauses between words). */
  releaseFrames?: number;
}

/**
 * A deliberately simple voice-activity detector for the sandbox: the audio it judges is clean synthetic
 * speech on a noiseless line, so loudness with an onset filter and a hangover is enough, and it is
 * deterministic.
 */
export class EnergyVad {
  private readonly threshold: number;
  private readonly onsetFrames: number;
  private readonly releaseFrames: number;
  private voicedRun = 0;
  private quietRun = 0;
  speaking = false;

  constructor(options: EnergyVadOptions = {}) {
    this.threshold = options.threshold ?? 200;
    this.onsetFrames = options.onsetFrames ?? 3;
    this.releaseFrames = options.releaseFrames ?? 35;
  }

  /** Feeds one frame; returns "start" or "end" on a change of state. */
  push(frame: Uint8Array): "start" | "end" | null {
    const voiced = frameLevel(frame) >= this.threshold;
    if (voiced) {
      this.voicedRun++;
      this.quietRun = 0;
      if (!this.speaking && this.voicedRun >= this.onsetFrames) {
        this.speaking = true;
        return "start";
      }
    } else {
      this.quietRun++;
      this.voicedRun = 0;
      if (this.speaking && this.quietRun >= this.releaseFrames) {
        this.speaking = false;
        return "end";
      }
    }
    return null;
  }
}
