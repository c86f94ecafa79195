/**
 * The two rate changes the sandbox needs: flite's 16 kHz voices down to the phone's 8 kHz, and phone
 * audio up to the 16 kHz that pocketsphinx's only packaged model expects.
 */

// Half-band low-pass (31 taps, Hamming window, cut-off at 3.8 kHz of 16 kHz): keeps aliasing out of 8 kHz.
const TAPS = (() => {
  const n = 31;
  const mid = (n - 1) / 2;
  const cutoff = 3800 / 16000;
  const taps = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const window = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (n - 1));
    taps[i] = sinc * window;
    sum += taps[i]!;
  }
  for (let i = 0; i < n; i++) taps[i] = taps[i]! / sum;
  return taps;
})();

function clip16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
}

/** 16 kHz → 8 kHz: low-pass, then keep every other sample. */
export function downsample16kTo8k(pcm: Int16Array): Int16Array {
  const out = new Int16Array(Math.floor(pcm.length / 2));
  const half = (TAPS.length - 1) / 2;
  for (let o = 0; o < out.length; o++) {
    const center = o * 2;
    let acc = 0;
    for (let t = 0; t < TAPS.length; t++) {
      const i = center + t - half;
      if (i >= 0 && i < pcm.length) acc += pcm[i]! * TAPS[t]!;
    }
    out[o] = clip16(acc);
  }
  return out;
}

/**
 * 8 kHz → 16 kHz by linear interpolation. Deliberately naive: its images fill 4–8 kHz, where the 16 kHz
 * acoustic model expects energy; a clean resampler leaves that band empty and recognition collapses.
 * `previous` carries the last sample across calls so a stream of frames interpolates seamlessly.
 */
export function upsample8kTo16k(pcm: Int16Array, previous = 0): Int16Array {
  const out = new Int16Array(pcm.length * 2);
  let prev = previous;
  for (let i = 0; i < pcm.length; i++) {
    const s = pcm[i]!;
    out[2 * i] = (prev + s) >> 1;
    out[2 * i + 1] = s;
    prev = s;
  }
  return out;
}
