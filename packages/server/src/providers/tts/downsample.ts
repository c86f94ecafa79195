/**
 * Streaming 3:1 decimation (24 kHz → 8 kHz PCM16) behind a windowed-sinc low-pass, so speech energy
 * above 4 kHz does not fold back into the phone band as hiss. State carries across chunks, including a
 * byte split between chunks, so chunk boundaries leave no clicks.
 */
const FACTOR = 3;
const TAPS = 63;
const CUTOFF = 3600 / 24_000;

const KERNEL = (() => {
  const kernel = new Float32Array(TAPS);
  const middle = (TAPS - 1) / 2;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const x = i - middle;
    const sinc = x === 0 ? 2 * CUTOFF : Math.sin(2 * Math.PI * CUTOFF * x) / (Math.PI * x);
    const blackman =
      0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (TAPS - 1));
    kernel[i] = sinc * blackman;
    sum += kernel[i]!;
  }
  for (let i = 0; i < TAPS; i++) kernel[i]! /= sum;
  return kernel;
})();

export class Downsampler24kTo8k {
  // Input not yet consumed, starting at the next output position's first tap. Zeros stand in for the
  // audio before the stream started.
  private pending = new Float32Array(TAPS - 1 - (TAPS - 1) / 2);
  private oddByte: number | null = null;

  /** Takes little-endian PCM16 bytes at 24 kHz; returns PCM16 at 8 kHz. */
  push(bytes: Uint8Array): Int16Array {
    return this.run(this.samplesOf(bytes));
  }

  /** Drains the filter at the end of the stream. */
  flush(): Int16Array {
    this.oddByte = null;
    return this.run(new Float32Array((TAPS - 1) / 2));
  }

  private samplesOf(bytes: Uint8Array): Float32Array {
    let input = bytes;
    if (this.oddByte !== null) {
      input = new Uint8Array(bytes.length + 1);
      input[0] = this.oddByte;
      input.set(bytes, 1);
      this.oddByte = null;
    }
    const count = input.length >> 1;
    if (input.length & 1) this.oddByte = input[input.length - 1]!;
    const view = new DataView(input.buffer, input.byteOffset, count * 2);
    const samples = new Float32Array(count);
    for (let i = 0; i < count; i++) samples[i] = view.getInt16(i * 2, true);
    return samples;
  }

  private run(samples: Float32Array): Int16Array {
    const buffer = new Float32Array(this.pending.length + samples.length);
    buffer.set(this.pending);
    buffer.set(samples, this.pending.length);
    const outputs = buffer.length >= TAPS ? Math.floor((buffer.length - TAPS) / FACTOR) + 1 : 0;
    const out = new Int16Array(outputs);
    for (let n = 0; n < outputs; n++) {
      const start = n * FACTOR;
      let acc = 0;
      for (let k = 0; k < TAPS; k++) acc += buffer[start + k]! * KERNEL[k]!;
      out[n] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
    }
    this.pending = buffer.slice(outputs * FACTOR);
    return out;
  }
}
