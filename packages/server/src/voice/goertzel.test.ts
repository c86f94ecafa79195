import { describe, expect, it } from "vitest";
import { goertzelPower, goertzelPowers5 } from "./goertzel.ts";

describe("Goertzel", () => {
  it("gives five probes in one pass exactly the powers it gives one at a time", () => {
    let seed = 3;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const out = new Float64Array(5);
    for (const n of [160, 80, 1, 0]) {
      for (let round = 0; round < 50; round++) {
        const samples = Int16Array.from({ length: n }, () => Math.round((random() - 0.5) * 60000));
        const frequencies = Float64Array.from({ length: 5 }, () => 200 + random() * 3500);
        goertzelPowers5(samples, frequencies, out);
        expect([...out]).toEqual([...frequencies].map((f) => goertzelPower(samples, f)));
      }
    }
  });

  it("finds a pure tone's power at its frequency and little beside it", () => {
    const samples = Int16Array.from({ length: 160 }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
    );
    const out = new Float64Array(5);
    goertzelPowers5(samples, Float64Array.from([500, 950, 1000, 1050, 2000]), out);
    expect(out[2]! / (8000 * 8000 * 0.5)).toBeCloseTo(1, 2);
    expect(out[0]! / out[2]!).toBeLessThan(0.01);
  });
});
