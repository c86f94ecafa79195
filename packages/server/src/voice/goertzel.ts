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
