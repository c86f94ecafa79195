import { describe, expect, it } from "vitest";
import { analyzeFrame, createFrameFeatures } from "./frames.ts";
import { mulawDecode } from "./mulaw.ts";

/** The features by their definition, from the decoded samples. */
function byDefinition(frame: Uint8Array) {
  const pcm = mulawDecode(frame);
  let sum = 0;
  let crossings = 0;
  for (let i = 0; i < pcm.length; i++) {
    sum += pcm[i]! * pcm[i]!;
    if (i > 0 && pcm[i]! >= 0 !== pcm[i - 1]! >= 0) crossings++;
  }
  const n = frame.length || 1;
  return { energy: sum / n, zeroCrossingRate: crossings / n, samples: frame.length };
}

describe("frame features", () => {
  it("are the decoded samples' mean square and sign changes, for every mu-law byte next to every other", () => {
    const all = new Uint8Array(256 * 2);
    for (let b = 0; b < 256; b++) {
      all[2 * b] = b;
      all[2 * b + 1] = 255 - b;
    }
    const frames = [all, all.subarray(1, 161), all.subarray(100, 101), new Uint8Array(0)];
    // Both zeros (0x7f and 0xff) count as not negative, like every positive sample.
    frames.push(Uint8Array.from([0x7f, 0x00, 0xff, 0x80, 0x7f, 0x7e]));
    for (const frame of frames)
      expect(analyzeFrame(frame, createFrameFeatures())).toEqual(byDefinition(frame));
  });
});
