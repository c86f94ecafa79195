import { describe, expect, it } from "vitest";
import { analyzeFrame, createFrameFeatures, frameViews } from "../media/frames.ts";
import { MusicDetector } from "./music-detector.ts";
import { lineNoiseMulaw, sineMulaw, speechLikeMulaw } from "./synth.ts";

function detections(audio: Uint8Array, detector = new MusicDetector({ minMs: 3000 })): number {
  const f = createFrameFeatures();
  let n = 0;
  for (const frame of frameViews(audio)) if (detector.process(analyzeFrame(frame, f))) n++;
  return n;
}

const join = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe("MusicDetector", () => {
  it("reports sound that goes on without a pause, once", () => {
    expect(detections(join(speechLikeMulaw(5000, 3, 3000), sineMulaw(440, 2000)))).toBe(1);
  });

  it("does not take talk with pauses for music", () => {
    const talk = join(
      ...Array.from({ length: 6 }, (_, i) => join(speechLikeMulaw(1500, i + 1), lineNoiseMulaw(300))),
    );
    expect(detections(talk)).toBe(0);
  });

  it("reports again after the music stopped and started again", () => {
    const detector = new MusicDetector({ minMs: 2000 });
    expect(detections(join(sineMulaw(440, 2500), lineNoiseMulaw(500), sineMulaw(523, 2500)), detector)).toBe(
      2,
    );
  });
});
