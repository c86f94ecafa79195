import { VOICES } from "@clawcall/contract";
import { afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../src/providers/abort.ts";
import { pitchOf, speak, TTS_HARNESSES, type TtsRig } from "./tts-harness.ts";

describe.each(TTS_HARNESSES)("TTS conformance: $name", (harness) => {
  let rig: TtsRig;
  afterEach(async () => {
    await rig?.close();
  });

  it("streams 8 kHz mu-law audio of the synthesised speech, in several pieces", async () => {
    rig = await harness.start();
    rig.speech.reply({ durationMs: 1200, toneHz: 500, chunkMs: 100 });
    const out = await speak(rig.tts, "Hello, this is an AI assistant calling.");
    expect(out.error).toBeUndefined();
    expect(out.chunks.length).toBeGreaterThan(3);
    // 1.2 s at 8000 bytes per second, give or take the resampler's edges.
    expect(Math.abs(out.audio.length - 9600)).toBeLessThan(40);
    expect(Math.abs(pitchOf(out.audio) - 500)).toBeLessThan(10);
  });

  it("sends the text, and each of our voices as the vendor's matching voice", async () => {
    rig = await harness.start();
    for (const voice of VOICES) await speak(rig.tts, `I am ${voice}.`, voice);
    expect(rig.speech.requests.map((r) => r.text)).toEqual(VOICES.map((v) => `I am ${v}.`));
    expect(rig.speech.requests.map((r) => r.voice)).toEqual(VOICES.map((v) => rig.vendorVoice(v)));
    expect(new Set(rig.speech.requests.map((r) => r.voice)).size).toBe(4);
  });

  it("fails with the status and no audio when the vendor answers 500", async () => {
    rig = await harness.start();
    rig.speech.reply({ status: 500 });
    const out = await speak(rig.tts, "Hello.");
    expect(out.audio.length).toBe(0);
    expect(out.error).toBeInstanceOf(ProviderError);
    expect((out.error as ProviderError).status).toBe(500);
  });

  it("fails after the audio so far when the stream is cut off, without asking again", async () => {
    rig = await harness.start({ maxRetries: 2 });
    rig.speech.reply({ durationMs: 2000, cutAfterMs: 500, chunkMs: 100, realtimeFactor: 20 });
    const out = await speak(rig.tts, "A longer sentence that will be cut off.");
    expect(out.audio.length).toBeGreaterThan(0);
    expect(out.audio.length).toBeLessThan(8000);
    expect(out.error).toBeInstanceOf(ProviderError);
    expect(rig.speech.requests).toHaveLength(1);
  });

  it("stops waiting when aborted before the first audio", async () => {
    rig = await harness.start();
    rig.speech.reply({ hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const out = await speak(rig.tts, "Hello.", "sarah", controller.signal);
    expect(out.audio.length).toBe(0);
    expect((out.error as Error).name).toBe("AbortError");
  });

  it("stops a slow stream when aborted mid-way", async () => {
    rig = await harness.start();
    rig.speech.reply({ durationMs: 3000, chunkMs: 100, realtimeFactor: 2 });
    const controller = new AbortController();
    let bytes = 0;
    let error: unknown;
    try {
      for await (const chunk of rig.tts.synthesize({
        text: "Slow.",
        voice: "eric",
        signal: controller.signal,
      })) {
        bytes += chunk.length;
        controller.abort();
      }
    } catch (e) {
      error = e;
    }
    expect((error as Error).name).toBe("AbortError");
    expect(bytes).toBeLessThan(24_000);
  });

  it("reuses the connection opened by warmup", async () => {
    rig = await harness.start();
    await rig.tts.warmup?.();
    const out = await speak(rig.tts, "Hi.");
    expect(out.error).toBeUndefined();
    expect(rig.connections()).toBe(1);
  });
});
