import { describe, expect, it } from "vitest";
import { analyzeFrame, createFrameFeatures, frameViews } from "../media/frames.ts";
import { FRAME_MS } from "../media/media-stream.ts";
import { lineNoiseMulaw, sineMulaw, speechLikeMulaw } from "./synth.ts";
import { type VadEvent, VoiceActivityDetector } from "./vad.ts";

function run(vad: VoiceActivityDetector, audio: Uint8Array): Array<{ event: VadEvent; atMs: number }> {
  const f = createFrameFeatures();
  const events: Array<{ event: VadEvent; atMs: number }> = [];
  for (const frame of frameViews(audio)) {
    const event = vad.process(analyzeFrame(frame, f));
    if (event !== "none") events.push({ event, atMs: (vad.frames - 1) * FRAME_MS });
  }
  return events;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe("VoiceActivityDetector", () => {
  it("finds speech between stretches of line noise, with onset and hangover", () => {
    const vad = new VoiceActivityDetector({ onsetMs: 40, hangoverMs: 200 });
    const audio = concat(lineNoiseMulaw(1000), speechLikeMulaw(800), lineNoiseMulaw(1000));
    const events = run(vad, audio);
    expect(events.map((e) => e.event)).toEqual(["start", "end"]);
    expect(events[0]!.atMs).toBeGreaterThanOrEqual(1000);
    expect(events[0]!.atMs).toBeLessThanOrEqual(1080);
    // Ends one hangover after the last voiced frame.
    expect(events[1]!.atMs).toBeGreaterThanOrEqual(1800 + 160);
    expect(events[1]!.atMs).toBeLessThanOrEqual(1800 + 260);
    expect(vad.lastVoicedFrame * FRAME_MS).toBeGreaterThanOrEqual(1760);
  });

  it("ignores a click shorter than the onset", () => {
    const vad = new VoiceActivityDetector({ onsetMs: 60 });
    const events = run(vad, concat(lineNoiseMulaw(500), speechLikeMulaw(20), lineNoiseMulaw(500)));
    expect(events).toEqual([]);
  });

  it("bridges short gaps between words into one utterance", () => {
    const vad = new VoiceActivityDetector({ hangoverMs: 300 });
    const audio = concat(
      speechLikeMulaw(400),
      lineNoiseMulaw(150),
      speechLikeMulaw(400),
      lineNoiseMulaw(800),
    );
    expect(run(vad, audio).map((e) => e.event)).toEqual(["start", "end"]);
  });

  it("adapts to a steady hum so it stops counting as speech, while talk over it still does", () => {
    const vad = new VoiceActivityDetector();
    const during = run(vad, lineNoiseMulaw(12_000, 3, 1200));
    // The hum first looks like sound, then the floor rises under it and it is speech no more.
    expect(during.map((e) => e.event)).toEqual(["start", "end"]);
    const after = run(
      vad,
      concat(lineNoiseMulaw(1000, 5, 1200), speechLikeMulaw(600, 9, 6000), lineNoiseMulaw(800, 4, 1200)),
    );
    expect(after.map((e) => e.event)).toEqual(["start", "end"]);
    expect(after[0]!.atMs).toBeGreaterThanOrEqual(13_000);
  });

  it("treats a pure tone as sound (the tone detector tells beeps apart)", () => {
    const vad = new VoiceActivityDetector();
    expect(run(vad, concat(sineMulaw(1000, 300), lineNoiseMulaw(500))).map((e) => e.event)).toEqual([
      "start",
      "end",
    ]);
  });
});
