import { describe, expect, it } from "vitest";
import { analyzeFrame, createFrameFeatures, frameViews } from "../media/frames.ts";
import { dualToneMulaw, lineNoiseMulaw, sineMulaw, speechLikeMulaw } from "./synth.ts";
import { type DetectedTone, DtmfDetector, ToneDetector } from "./tone-detector.ts";

function tones(audio: Uint8Array, detector = new ToneDetector(), withFeatures = false): DetectedTone[] {
  const found: DetectedTone[] = [];
  const features = createFrameFeatures();
  for (const frame of frameViews(audio)) {
    const t = detector.process(frame, withFeatures ? analyzeFrame(frame, features) : undefined);
    if (t !== null) found.push(t);
  }
  return found;
}

describe("ToneDetector", () => {
  it.each([440, 850, 1000, 1400, 2000])("hears a %i Hz voicemail beep once", (hz) => {
    const found = tones(
      Uint8Array.from([...lineNoiseMulaw(300), ...sineMulaw(hz, 500), ...lineNoiseMulaw(300)]),
    );
    expect(found).toHaveLength(1);
    expect(Math.abs(found[0]!.frequency - hz)).toBeLessThan(40);
  });

  it("ignores speech, noise and blips shorter than the minimum", () => {
    expect(tones(speechLikeMulaw(3000))).toEqual([]);
    expect(tones(lineNoiseMulaw(2000, 3, 2000))).toEqual([]);
    expect(tones(sineMulaw(1000, 80))).toEqual([]);
  });

  it("hears the same with the frame features the voice session already has", () => {
    const audio = Uint8Array.from([
      ...speechLikeMulaw(1000),
      ...sineMulaw(850, 500),
      ...lineNoiseMulaw(300),
      ...sineMulaw(1400, 400),
    ]);
    const plain = tones(audio);
    expect(plain).toHaveLength(2);
    expect(tones(audio, new ToneDetector(), true)).toEqual(plain);
  });

  it("reports two beeps separated by silence as two tones", () => {
    const audio = Uint8Array.from([...sineMulaw(1000, 300), ...lineNoiseMulaw(200), ...sineMulaw(1000, 300)]);
    expect(tones(audio)).toHaveLength(2);
  });
});

describe("DtmfDetector", () => {
  it("decodes keypad tones", () => {
    const detector = new DtmfDetector();
    const keys: string[] = [];
    const press = (low: number, high: number) => [...dualToneMulaw(low, high, 100), ...lineNoiseMulaw(100)];
    const audio = Uint8Array.from([
      ...press(697, 1209),
      ...press(941, 1336),
      ...press(941, 1477),
      ...press(852, 1477),
    ]);
    for (const frame of frameViews(audio)) {
      const k = detector.process(frame);
      if (k !== null) keys.push(k);
    }
    expect(keys.join("")).toBe("10#9");
  });

  it("hears no keys in speech", () => {
    const detector = new DtmfDetector();
    for (const frame of frameViews(speechLikeMulaw(3000))) expect(detector.process(frame)).toBeNull();
  });
});
