import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { mulawDecodeSample, mulawEncode } from "../media/mulaw.ts";
import { createCallRecorder } from "./recording.ts";

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe("call recording", () => {
  it("writes a stereo 8 kHz WAV as long as the call, agent left and callee right", async () => {
    dir = await mkdtemp(join(tmpdir(), "clawcall-rec-"));
    const path = join(dir, "call.wav");
    const recorder = createCallRecorder(path);
    const agent = mulawEncode(new Int16Array(160).fill(1000));
    const callee = mulawEncode(new Int16Array(160).fill(-2000));
    const frames = 173; // 3.46 s: more than one write to disk, not a whole number of them
    for (let i = 0; i < frames; i++) recorder.write(agent, callee);
    const result = await recorder.finish();
    expect(result.seconds).toBeCloseTo(3.46, 5);

    const wav = await readFile(path);
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString("ascii", 8, 12)).toBe("WAVE");
    expect(wav.readUInt16LE(20)).toBe(1);
    expect(wav.readUInt16LE(22)).toBe(2);
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.readUInt32LE(40)).toBe(frames * 160 * 4);
    expect(wav.length).toBe(44 + frames * 160 * 4);
    // Mu-law is lossy: the decoded levels are near, not equal to, what was encoded.
    const lastLeft = wav.readInt16LE(wav.length - 4);
    const lastRight = wav.readInt16LE(wav.length - 2);
    expect(Math.abs(lastLeft - 1000)).toBeLessThan(40);
    expect(Math.abs(lastRight + 2000)).toBeLessThan(80);
  });

  it("keeps every frame in order across the writes to disk, each side on its own channel", async () => {
    dir = await mkdtemp(join(tmpdir(), "clawcall-rec-"));
    const path = join(dir, "order.wav");
    const recorder = createCallRecorder(path);
    const frames = 120;
    const frame = (i: number, side: number) =>
      mulawEncode(Int16Array.from({ length: 160 }, (_, s) => (i * 97 + s * 13 + side * 5000) % 8000));
    for (let i = 0; i < frames; i++) recorder.write(frame(i, 0), frame(i, 1));
    await recorder.finish();
    const wav = await readFile(path);
    for (let i = 0; i < frames; i++) {
      const agent = frame(i, 0);
      const callee = frame(i, 1);
      for (const s of [0, 77, 159]) {
        const at = 44 + (i * 160 + s) * 4;
        expect(wav.readInt16LE(at)).toBe(mulawDecodeSample(agent[s]!));
        expect(wav.readInt16LE(at + 2)).toBe(mulawDecodeSample(callee[s]!));
      }
    }
  });
});
