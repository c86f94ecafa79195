import { describe, expect, it } from "vitest";
import { mulawDecode, mulawDecodeSample, mulawEncode, mulawEncodeSample } from "./mulaw.ts";

describe("mu-law", () => {
  it("matches the G.711 reference points", () => {
    expect(mulawEncodeSample(0)).toBe(0xff);
    expect(mulawEncodeSample(-1)).toBe(0x7f);
    expect(mulawEncodeSample(32767)).toBe(0x80);
    expect(mulawEncodeSample(-32768)).toBe(0x00);
    expect(mulawDecodeSample(0x80)).toBe(32124);
    expect(mulawDecodeSample(0x00)).toBe(-32124);
    expect(mulawDecodeSample(0xff)).toBe(0);
  });

  it("round-trips every code word", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const back = mulawEncode(mulawDecode(all));
    // 0x7f (-0) decodes to 0, which encodes as +0 (0xff); every other word is stable.
    for (let i = 0; i < 256; i++) expect(back[i]).toBe(i === 0x7f ? 0xff : i);
  });

  it("keeps the error of a sine within the quantiser's step", () => {
    const pcm = Int16Array.from({ length: 800 }, (_, i) =>
      Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / 8000)),
    );
    const back = mulawDecode(mulawEncode(pcm));
    for (let i = 0; i < pcm.length; i++) {
      expect(Math.abs(back[i]! - pcm[i]!)).toBeLessThanOrEqual(Math.max(8, Math.abs(pcm[i]!) / 16));
    }
  });
});
