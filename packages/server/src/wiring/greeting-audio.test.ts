import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RecordingLinks } from "../api/recording-links.ts";
import { createLogger } from "../observability/logger.ts";
import type { TTS, TtsRequest } from "../providers/tts/tts.ts";
import { greetingAudio } from "./greeting-audio.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function links(): RecordingLinks {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-greeting-"));
  dirs.push(dir);
  return new RecordingLinks(path.join(dir, "recordings"), "secret", () => "http://127.0.0.1:8787", 600);
}

const voice = (asked: TtsRequest[], audio: Uint8Array[]): TTS => ({
  name: "fake",
  capabilities: { streaming: true, outputFormats: ["mulaw_8000"] },
  async *synthesize(request) {
    asked.push(request);
    yield* audio;
  },
});

describe("a handoff greeting's audio", () => {
  it("is said in the call's voice, kept as a WAV, and linked through a signed, expiring link", async () => {
    const shelf = links();
    const asked: TtsRequest[] = [];
    const make = greetingAudio(
      () => voice(asked, [new Uint8Array(800).fill(0xff), new Uint8Array(800).fill(0x7f)]),
      shelf,
      createLogger("silent"),
    );
    const url = await make("Jordan, the desk is on the line.", "sarah");
    expect(asked.map((r) => [r.text, r.voice])).toEqual([["Jordan, the desk is on the line.", "sarah"]]);
    const link = new URL(url!);
    const name = decodeURIComponent(link.pathname.replace("/recordings/", ""));
    const file = shelf.resolve(name, link.searchParams.get("expires")!, link.searchParams.get("sig")!);
    const wav = fs.readFileSync(file!);
    expect(wav.subarray(0, 4).toString("ascii")).toBe("RIFF");
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(8000);
    // 1600 mu-law bytes are 1600 16-bit samples.
    expect(wav.length).toBe(44 + 3200);
  });

  it("is null when the voice fails or says nothing, so the handoff goes on without it", async () => {
    const shelf = links();
    const failing: TTS = {
      name: "failing",
      capabilities: { streaming: true, outputFormats: ["mulaw_8000"] },
      synthesize: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("vendor down")) }),
      }),
    };
    expect(await greetingAudio(() => failing, shelf, createLogger("silent"))("Hi.", "jessica")).toBeNull();
    expect(
      await greetingAudio(() => voice([], []), shelf, createLogger("silent"))("Hi.", "jessica"),
    ).toBeNull();
    expect(fs.readdirSync(shelf.directory)).toEqual([]);
  });
});
