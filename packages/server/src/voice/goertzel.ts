import { SAMPLE_RATE } from "../media/media-stream.ts";

/**
 * Power of one frequency in a block of samples (Goertzel), normalised so a pure sine at that
 * frequency gives about its own mean-square energy. Cheaper than an FFT when only a few bins matter.
 */
export function goertzelPower(samples: Int16Array, frequency: number, sampleRate = SAMPLE_RATE): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = samples[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  // |X|^2 of a sine of amplitude A is (N·A/2)^2 and its mean square is A^2/2.
  return (2 * power) / (n * n);
}

export function meanSquare(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length === 0 ? 0 : sum / samples.length;
}

/**
 * goertzelPower at five frequencies in one pass over the samples, for the tone detector's probes around
 * its estimate on every loud frame. Each probe does goertzelPower's arithmetic in its order, so the
 * powers are the same to the last bit.
 */
export function goertzelPowers5(
  samples: Int16Array,
  frequencies: Float64Array,
  out: Float64Array,
  sampleRate = SAMPLE_RATE,
): void {
  const n = samples.length;
  if (n === 0) {
    out.fill(0, 0, 5);
    return;
  }
  const c0 = 2 * Math.cos((2 * Math.PI * frequencies[0]!) / sampleRate);
  const c1 = 2 * Math.cos((2 * Math.PI * frequencies[1]!) / sampleRate);
  const c2 = 2 * Math.cos((2 * Math.PI * frequencies[2]!) / sampleRate);
  const c3 = 2 * Math.cos((2 * Math.PI * frequencies[3]!) / sampleRate);
  const c4 = 2 * Math.cos((2 * Math.PI * frequencies[4]!) / sampleRate);
  let a1 = 0;
  let a2 = 0;
  let b1 = 0;
  let b2 = 0;
  let d1 = 0;
  let d2 = 0;
  let e1 = 0;
  let e2 = 0;
  let g1 = 0;
  let g2 = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i]!;
    const a0 = x + c0 * a1 - a2;
    a2 = a1;
    a1 = a0;
    const b0 = x + c1 * b1 - b2;
    b2 = b1;
    b1 = b0;
    const d0 = x + c2 * d1 - d2;
    d2 = d1;
    d1 = d0;
    const e0 = x + c3 * e1 - e2;
    e2 = e1;
    e1 = e0;
    const g0 = x + c4 * g1 - g2;
    g2 = g1;
    g1 = g0;
  }
  const nn = n * n;
  out[0] = (2 * (a1 * a1 + a2 * a2 - c0 * a1 * a2)) / nn;
  out[1] = (2 * (b1 * b1 + b2 * b2 - c1 * b1 * b2)) / nn;
  out[2] = (2 * (d1 * d1 + d2 * d2 - c2 * d1 * d2)) / nn;
  out[3] = (2 * (e1 * e1 + e2 * e2 - c3 * e1 * e2)) / nn;
  out[4] = (2 * (g1 * g1 + g2 * g2 - c4 * g1 * g2)) / nn;
}
