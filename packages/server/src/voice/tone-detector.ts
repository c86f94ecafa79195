import type { FrameFeatures } from "../media/frames.ts";
import { FRAME_BYTES, FRAME_MS, SAMPLE_RATE } from "../media/media-stream.ts";
import { mulawDecode } from "../media/mulaw.ts";
import { goertzelPower, goertzelPowers5, meanSquare } from "./goertzel.ts";

export interface ToneDetectorOptions {
  /** How long one steady tone must last to count (a voicemail beep is typically 200–1000 ms). */
  minMs?: number;
  minHz?: number;
  maxHz?: number;
  /** Share of the frame's energy that must sit at the tone's frequency. */
  purity?: number;
  minRms?: number;
}

export interface DetectedTone {
  frequency: number;
  durationMs: number;
}

/**
 * Detects a steady single-frequency tone (the beep after a voicemail greeting). The frequency is first
 * estimated from zero crossings, then confirmed with Goertzel around it, so each frame costs a few
 * hundred operations rather than a filter bank. Reports once per tone, when it has lasted `minMs`.
 */
export class ToneDetector {
  private readonly pcm = new Int16Array(FRAME_BYTES);
  private readonly probes = new Float64Array(5);
  private readonly powers = new Float64Array(5);
  private readonly minFrames: number;
  private readonly o: Required<ToneDetectorOptions>;
  private run = 0;
  private runFrequency = 0;
  private reported = false;

  constructor(options: ToneDetectorOptions = {}) {
    this.o = { minMs: 160, minHz: 300, maxHz: 3000, purity: 0.7, minRms: 200, ...options };
    this.minFrames = Math.max(1, Math.round(this.o.minMs / FRAME_MS));
  }

  /** A tone already reported is still sounding. */
  get sounding(): boolean {
    return this.reported && this.run > 0;
  }

  /**
   * Feeds one frame; returns the tone once it has lasted long enough, else null. `features`, when the
   * caller has them for this frame, spare it decoding the frames that cannot hold a tone (most of them).
   */
  process(frame: Uint8Array, features?: FrameFeatures): DetectedTone | null {
    const frequency = this.toneIn(frame, features);
    if (frequency === null || (this.run > 0 && Math.abs(frequency - this.runFrequency) > 60)) {
      this.run = frequency === null ? 0 : 1;
      this.runFrequency = frequency ?? 0;
      this.reported = false;
      return null;
    }
    this.runFrequency =
      this.run === 0 ? frequency : (this.runFrequency * this.run + frequency) / (this.run + 1);
    this.run++;
    if (!this.reported && this.run >= this.minFrames) {
      this.reported = true;
      return { frequency: Math.round(this.runFrequency), durationMs: this.run * FRAME_MS };
    }
    return null;
  }

  private toneIn(frame: Uint8Array, features: FrameFeatures | undefined): number | null {
    const pcm = frame.length === this.pcm.length ? this.pcm : new Int16Array(frame.length);
    let energy: number;
    let crossings: number;
    if (features !== undefined && features.samples === frame.length) {
      energy = features.energy;
      crossings = Math.round(features.zeroCrossingRate * frame.length);
      if (!this.mayBeTone(energy, crossings, frame.length)) return null;
      mulawDecode(frame, pcm);
    } else {
      mulawDecode(frame, pcm);
      energy = meanSquare(pcm);
      crossings = 0;
      for (let i = 1; i < pcm.length; i++) if (pcm[i]! >= 0 !== pcm[i - 1]! >= 0) crossings++;
      if (!this.mayBeTone(energy, crossings, pcm.length)) return null;
    }
    const estimate = (crossings * SAMPLE_RATE) / (2 * (pcm.length - 1));
    // Zero crossings land within a bin or so; probe around the estimate and keep the strongest.
    let best = 0;
    let bestFrequency = estimate;
    const step = SAMPLE_RATE / pcm.length / 2;
    const probes = this.probes;
    for (let k = -2; k <= 2; k++) probes[k + 2] = estimate + k * step;
    goertzelPowers5(pcm, probes, this.powers);
    for (let k = 0; k < 5; k++) {
      const p = this.powers[k]!;
      if (p > best) {
        best = p;
        bestFrequency = probes[k]!;
      }
    }
    if (bestFrequency < this.o.minHz || bestFrequency > this.o.maxHz) return null;
    return best / energy >= this.o.purity ? bestFrequency : null;
  }

  /** Loud enough, and crossing zero at a rate some tone in range would. */
  private mayBeTone(energy: number, crossings: number, samples: number): boolean {
    if (energy < this.o.minRms * this.o.minRms) return false;
    const estimate = (crossings * SAMPLE_RATE) / (2 * (samples - 1));
    return estimate >= this.o.minHz * 0.8 && estimate <= this.o.maxHz * 1.2;
  }
}

const DTMF_LOW = [697, 770, 852, 941] as const;
const DTMF_HIGH = [1209, 1336, 1477, 1633] as const;
const DTMF_KEYS = ["123A", "456B", "789C", "*0#D"] as const;

/**
 * In-band keypad tones (DTMF), for lines that play digits as audio rather than out of band.
 * Reports each key once per press, after two consecutive frames agree.
 */
export class DtmfDetector {
  private readonly pcm = new Int16Array(FRAME_BYTES);
  private candidate: string | null = null;
  private frames = 0;
  private reported = false;

  process(frame: Uint8Array): string | null {
    const pcm = frame.length === this.pcm.length ? this.pcm : new Int16Array(frame.length);
    mulawDecode(frame, pcm);
    const key = this.keyIn(pcm);
    if (key !== this.candidate) {
      this.candidate = key;
      this.frames = key === null ? 0 : 1;
      this.reported = false;
      return null;
    }
    if (key === null) return null;
    this.frames++;
    if (!this.reported && this.frames >= 2) {
      this.reported = true;
      return key;
    }
    return null;
  }

  private keyIn(pcm: Int16Array): string | null {
    const energy = meanSquare(pcm);
    if (energy < 100 * 100) return null;
    const low = strongest(pcm, DTMF_LOW);
    const high = strongest(pcm, DTMF_HIGH);
    // Both tones present, and together they carry most of the energy (speech spreads wider).
    if ((low.power + high.power) / energy < 0.6) return null;
    if (low.power < high.power / 8 || high.power < low.power / 8) return null;
    return DTMF_KEYS[low.index]?.[high.index] ?? null;
  }
}

function strongest(pcm: Int16Array, frequencies: readonly number[]): { index: number; power: number } {
  let index = 0;
  let power = 0;
  for (let i = 0; i < frequencies.length; i++) {
    const p = goertzelPower(pcm, frequencies[i]!);
    if (p > power) {
      power = p;
      index = i;
    }
  }
  return { index, power };
}
