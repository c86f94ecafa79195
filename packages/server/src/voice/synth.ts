import { SAMPLE_RATE } from "../media/media-stream.ts";
import { mulawEncodeSample } from "../media/mulaw.ts";

/** Generated mu-law audio: tones for beeps and prompts, speech-shaped noise for simulated talk. */
export function sineMulaw(frequency: number, ms: number, amplitude = 8000): Uint8Array {
  const n = Math.round((SAMPLE_RATE * ms) / 1000);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = mulawEncodeSample(Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE)));
  }
  return out;
}

/** Two tones at once (keypad tones). */
export function dualToneMulaw(low: number, high: number, ms: number, amplitude = 6000): Uint8Array {
  const n = Math.round((SAMPLE_RATE * ms) / 1000);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / SAMPLE_RATE;
    out[i] = mulawEncodeSample(Math.round(amplitude * (Math.sin(low * t) + Math.sin(high * t))));
  }
  return out;
}

/**
 * Noise shaped like talk: low-passed (voice-band zero-crossing rate) with a syllable-rate envelope,
 * deterministic for a given seed.
 */
export function speechLikeMulaw(ms: number, seed = 1, amplitude = 6000): Uint8Array {
  const n = Math.round((SAMPLE_RATE * ms) / 1000);
  const out = new Uint8Array(n);
  let state = seed >>> 0 || 1;
  let lp = 0;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const white = state / 2 ** 31 - 1;
    lp += (white - lp) * 0.35;
    const envelope = 0.55 + 0.45 * Math.sin((2 * Math.PI * 4 * i) / SAMPLE_RATE);
    out[i] = mulawEncodeSample(Math.round(lp * amplitude * 2.2 * envelope));
  }
  return out;
}

/** Quiet line noise (what a silent but open line carries). */
export function lineNoiseMulaw(ms: number, seed = 7, amplitude = 40): Uint8Array {
  return speechLikeMulaw(ms, seed, amplitude);
}
