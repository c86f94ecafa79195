import { describe, expect, it } from "vitest";
import { Downsampler24kTo8k } from "./downsample.ts";

function tone(hz: number, ms: number, rate = 24_000): Uint8Array {
  const count = (rate * ms) / 1000;
  const bytes = new Uint8Array(count * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++)
    view.setInt16(i * 2, Math.round(10_000 * Math.sin((2 * Math.PI * hz * i) / rate)), true);
  return bytes;
}

function run(input: Uint8Array, chunk: number): Int16Array {
  const d = new Downsampler24kTo8k();
  const parts: Int16Array[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(d.push(input.subarray(i, i + chunk)));
  parts.push(d.flush());
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function rms(samples: Int16Array, from = 100): number {
  let sum = 0;
  for (let i = from; i < samples.length - from; i++) sum += samples[i]! ** 2;
  return Math.sqrt(sum / (samples.length - 2 * from));
}

function crossings(samples: Int16Array): number {
  let n = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) n++;
  return n;
}

describe("Downsampler24kTo8k", () => {
  it("keeps a voice-band tone at its pitch and level, at a third of the samples", () => {
    const out = run(tone(1000, 500), 4800);
    expect(Math.abs(out.length - 4000)).toBeLessThanOrEqual(2);
    // 1 kHz over 0.5 s crosses zero about 1000 times.
    expect(Math.abs(crossings(out) - 1000)).toBeLessThan(10);
    expect(rms(out) / (10_000 / Math.SQRT2)).toBeGreaterThan(0.9);
  });

  it("removes content above the phone band instead of folding it back", () => {
    const out = run(tone(6000, 500), 4800);
    expect(rms(out)).toBeLessThan(0.02 * (10_000 / Math.SQRT2));
  });

  it("gives the same audio whatever the chunking, odd byte splits included", () => {
    const input = tone(700, 200);
    expect(run(input, 333)).toEqual(run(input, input.length));
  });
});
