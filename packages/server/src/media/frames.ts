import { FRAME_BYTES, FRAME_MS, SAMPLE_RATE } from "./media-stream.ts";
import { mulawDecodeSample } from "./mulaw.ts";

/** Mu-law byte for silence (zero amplitude). */
export const MULAW_SILENCE_BYTE = 0xff;

/** Bytes of 8 kHz mu-law audio in `ms` milliseconds (one byte per sample). */
export function bytesForMs(ms: number): number {
  return Math.round((SAMPLE_RATE * ms) / 1000);
}

/** Play-out duration of mu-law audio. */
export function msForBytes(bytes: number): number {
  return (bytes * 1000) / SAMPLE_RATE;
}

/** Whole frames spanning at least `ms` (at least one). */
export function framesForMs(ms: number): number {
  return Math.max(1, Math.ceil(ms / FRAME_MS));
}

export function silenceFrame(): Uint8Array {
  return new Uint8Array(FRAME_BYTES).fill(MULAW_SILENCE_BYTE);
}

/** Views (no copies) of `audio` in frame-sized pieces; the last one may be short. */
export function* frameViews(audio: Uint8Array, frameBytes = FRAME_BYTES): Generator<Uint8Array> {
  for (let i = 0; i < audio.length; i += frameBytes) yield audio.subarray(i, i + frameBytes);
}

/** What the detectors need to know about one frame; one object reused per session. */
export interface FrameFeatures {
  /** Mean square of the linear samples (0 … 2^30). */
  energy: number;
  /** Sign changes per sample (0 … 1): high for hiss and high tones, low for hum. */
  zeroCrossingRate: number;
  samples: number;
}

export function createFrameFeatures(): FrameFeatures {
  return { energy: 0, zeroCrossingRate: 0, samples: 0 };
}

// Per mu-law byte: its sample's square, and 1 when the sample is not negative. Every frame of every call
// passes through analyzeFrame; two lookups a byte spare it the decoding, the product and the branch.
const SQUARE = new Float64Array(256);
const NON_NEGATIVE = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const s = mulawDecodeSample(b);
  SQUARE[b] = s * s;
  NON_NEGATIVE[b] = s >= 0 ? 1 : 0;
}

/** Fills `out` from a mu-law frame without allocating. */
export function analyzeFrame(frame: Uint8Array, out: FrameFeatures): FrameFeatures {
  let sum = 0;
  let crossings = 0;
  const length = frame.length;
  if (length > 0) {
    let previous = NON_NEGATIVE[frame[0]!]!;
    sum = SQUARE[frame[0]!]!;
    for (let i = 1; i < length; i++) {
      const b = frame[i]!;
      sum += SQUARE[b]!;
      const sign = NON_NEGATIVE[b]!;
      crossings += sign ^ previous;
      previous = sign;
    }
  }
  const n = frame.length || 1;
  out.energy = sum / n;
  out.zeroCrossingRate = crossings / n;
  out.samples = frame.length;
  return out;
}

/** Energy of a sine of the given peak amplitude, for choosing thresholds in familiar units. */
export function energyOfAmplitude(rms: number): number {
  return rms * rms;
}
