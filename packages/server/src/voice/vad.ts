import type { FrameFeatures } from "../media/frames.ts";
import { FRAME_MS } from "../media/media-stream.ts";

export interface VadOptions {
  /** Voiced audio needed before speech counts as started (rejects clicks). */
  onsetMs?: number;
  /** Quiet needed before speech counts as stopped (bridges gaps between words). */
  hangoverMs?: number;
  /** How far above the noise floor (energy ratio) a frame must be to count as voiced. */
  snr?: number;
  /** Absolute floor below which nothing is speech (RMS of linear samples). */
  minRms?: number;
}

export type VadEvent = "none" | "start" | "end";

const DEFAULTS: Required<VadOptions> = { onsetMs: 40, hangoverMs: 240, snr: 4, minRms: 150 };

/**
 * Energy and zero-crossing voice-activity detector over 20 ms frames with an adaptive noise floor.
 * Time is counted in frames (audio time), so it behaves the same whatever the wall clock does.
 * Line noise and steady hums raise the floor; speech rises above it.
 */
export class VoiceActivityDetector {
  private readonly onsetFrames: number;
  private readonly hangoverFrames: number;
  private readonly snr: number;
  private readonly minEnergy: number;
  private noiseFloor: number;
  private voicedRun = 0;
  private quietRun = 0;
  private frameIndex = 0;
  /** True between a "start" and the following "end". */
  speaking = false;
  /** Frame index of the first voiced frame of the current (or last) speech. */
  onsetFrame = -1;
  /** Frame index of the last voiced frame. */
  lastVoicedFrame = -1;
  /** Whether the most recent frame was voiced. */
  voiced = false;

  constructor(options: VadOptions = {}) {
    const o = { ...DEFAULTS, ...options };
    this.onsetFrames = Math.max(1, Math.round(o.onsetMs / FRAME_MS));
    this.hangoverFrames = Math.max(1, Math.round(o.hangoverMs / FRAME_MS));
    this.snr = o.snr;
    this.minEnergy = o.minRms * o.minRms;
    this.noiseFloor = this.minEnergy / o.snr;
  }

  get frames(): number {
    return this.frameIndex;
  }

  /** The threshold a frame must pass now (for diagnostics and tests). */
  get threshold(): number {
    return Math.max(this.minEnergy, this.noiseFloor * this.snr);
  }

  process(f: FrameFeatures): VadEvent {
    const index = this.frameIndex++;
    const threshold = this.threshold;
    // Hiss has many zero crossings and little energy; speech near the threshold rarely does.
    const hissy = f.zeroCrossingRate > 0.6 && f.energy < threshold * 4;
    const voiced = f.energy > threshold && !hissy;
    this.voiced = voiced;
    this.adaptFloor(f.energy, voiced);
    if (voiced) {
      this.lastVoicedFrame = index;
      this.quietRun = 0;
      this.voicedRun++;
      if (!this.speaking && this.voicedRun >= this.onsetFrames) {
        this.speaking = true;
        this.onsetFrame = index - this.voicedRun + 1;
        return "start";
      }
      return "none";
    }
    this.voicedRun = 0;
    if (this.speaking && ++this.quietRun >= this.hangoverFrames) {
      this.speaking = false;
      return "end";
    }
    return "none";
  }

  private adaptFloor(energy: number, voiced: boolean): void {
    if (!voiced) {
      // Follow the floor quickly while quiet.
      this.noiseFloor += (energy - this.noiseFloor) * 0.05;
    } else {
      // Creep up under sustained sound, so a constant hum stops counting as speech after some
      // seconds; slow enough that a long sentence stays far above it.
      this.noiseFloor *= 1.005;
    }
    const lowest = this.minEnergy / this.snr / 4;
    if (this.noiseFloor < lowest) this.noiseFloor = lowest;
  }
}
