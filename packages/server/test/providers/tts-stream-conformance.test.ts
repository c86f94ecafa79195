import { afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../src/providers/abort.ts";
import { ElevenLabsTts } from "../../src/providers/tts/elevenlabs-tts.ts";
import type { TtsStreamEvent, TtsTextStream } from "../../src/providers/tts/tts.ts";
import { ELEVENLABS_VOICE_IDS } from "../../src/providers/tts/voices.ts";
import { type FakeElevenLabs, startFakeElevenLabs } from "../fakes/fake-elevenlabs.ts";
import { pitchOf } from "./tts-harness.ts";

let fake: FakeElevenLabs;
let tts: ElevenLabsTts;
afterEach(async () => {
  tts?.close();
  await fake?.close();
});

async function rig(options: { apiKey?: string; audioTimeoutMs?: number } = {}) {
  fake = await startFakeElevenLabs({ apiKey: "test-xi-key", voiceIds: Object.values(ELEVENLABS_VOICE_IDS) });
  tts = new ElevenLabsTts({
    apiKey: options.apiKey ?? "test-xi-key",
    baseUrl: fake.url,
    maxRetries: 0,
    ...(options.audioTimeoutMs ? { audioTimeoutMs: options.audioTimeoutMs } : {}),
  });
}

interface Heard {
  events: TtsStreamEvent[];
  /** Audio bytes by segment. */
  bytes: number[];
  error: unknown;
}

async function hear(stream: TtsTextStream, onEvent?: (e: TtsStreamEvent) => void): Promise<Heard> {
  const heard: Heard = { events: [], bytes: [], error: undefined };
  try {
    for await (const event of stream.events) {
      heard.events.push(event);
      if (event.type === "audio")
        heard.bytes[event.segment] = (heard.bytes[event.segment] ?? 0) + event.audio.length;
      onEvent?.(event);
    }
  } catch (error) {
    heard.error = error;
  }
  return heard;
}

/** The order of segments in the events: "a0" audio of segment 0, "e0" its end. */
function order(events: TtsStreamEvent[]): string {
  const out: string[] = [];
  for (const e of events) {
    const tag = `${e.type === "audio" ? "a" : "e"}${e.segment}`;
    if (out.at(-1) !== tag) out.push(tag);
  }
  return out.join(" ");
}

describe("ElevenLabs text stream (multi-stream-input)", () => {
  it("takes the text in pieces and gives each segment's audio in order, under its segment", async () => {
    await rig();
    const tones: Record<string, number> = { "Sure thing,": 400, "let me check that for you.": 700 };
    fake.speech.setDefault((view) => ({ toneHz: tones[view.text] ?? 300, durationMs: 600, chunkMs: 100 }));
    const stream = tts.openStream({ voice: "sarah", signal: new AbortController().signal });
    const pieces: Uint8Array[][] = [[], []];
    const heard = hear(stream, (e) => {
      if (e.type === "audio") pieces[e.segment]!.push(e.audio);
    });
    stream.write("Sure ");
    stream.write("thing, ");
    expect(stream.flush()).toBe(0);
    for (const w of ["let ", "me ", "check ", "that ", "for ", "you. "]) stream.write(w);
    expect(stream.flush()).toBe(1);
    stream.end();
    const out = await heard;
    expect(out.error).toBeUndefined();
    expect(order(out.events)).toBe("a0 e0 a1 e1");
    expect(out.bytes).toEqual([4800, 4800]);
    expect(Math.abs(pitchOf(Buffer.concat(pieces[0]!)) - 400)).toBeLessThan(10);
    expect(Math.abs(pitchOf(Buffer.concat(pieces[1]!)) - 700)).toBeLessThan(10);
    expect(fake.speech.requests.map((r) => [r.text, r.voice, r.model, r.format])).toEqual([
      ["Sure thing,", ELEVENLABS_VOICE_IDS.sarah, "eleven_flash_v2_5", "ulaw_8000"],
      ["let me check that for you.", ELEVENLABS_VOICE_IDS.sarah, "eleven_flash_v2_5", "ulaw_8000"],
    ]);
  });

  it("speaks the documented messages: a context per segment opened with a space, its text ending in a space with the flush, close", async () => {
    await rig();
    const stream = tts.openStream({ voice: "eric", signal: new AbortController().signal });
    const heard = hear(stream);
    stream.write("Hello ");
    stream.write("there. ");
    stream.flush();
    stream.write("Bye. ");
    stream.flush();
    stream.end();
    expect((await heard).error).toBeUndefined();
    expect(fake.apiKeys).toEqual(["test-xi-key"]);
    const [url] = fake.streamUrls;
    expect(url?.pathname).toBe(`/v1/text-to-speech/${ELEVENLABS_VOICE_IDS.eric}/multi-stream-input`);
    expect(url?.searchParams.get("model_id")).toBe("eleven_flash_v2_5");
    expect(url?.searchParams.get("output_format")).toBe("ulaw_8000");
    expect(url?.searchParams.has("xi-api-key")).toBe(false);
    // No permessage-deflate: audio would go through zlib for next to nothing.
    expect(fake.streamExtensions).toEqual([""]);
    const [a, b] = [...new Set(fake.streamMessages.map((m) => m["context_id"]))];
    expect(typeof a).toBe("string");
    expect(a).not.toBe(b);
    expect(fake.streamMessages).toEqual([
      { text: " ", context_id: a },
      { text: "Hello there. ", context_id: a, flush: true },
      { context_id: a, close_context: true },
      { text: " ", context_id: b },
      { text: "Bye. ", context_id: b, flush: true },
      { context_id: b, close_context: true },
    ]);
  });

  it("sends words when ElevenLabs would start a generation on them: at the schedule's length, or with the flush", async () => {
    await rig();
    const words = "This sentence has more than fifty characters in it, but it has no end ";
    const textSent = async (text: string) => {
      for (let i = 0; i < 500 && !fake.streamMessages.some((m) => m["text"] === text); i++)
        await new Promise((r) => setTimeout(r, 2));
      return fake.streamMessages.find((m) => m["text"] === text);
    };
    // ElevenLabs' default schedule waits for 120 characters: nothing but the opening goes before the flush.
    const held = tts.openStream({ voice: "jessica", signal: new AbortController().signal });
    const first = hear(held);
    held.write(words);
    held.write("yet ");
    await textSent(" ");
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.streamMessages.map((m) => m["text"])).toEqual([" "]);
    held.flush();
    held.end();
    expect((await first).error).toBeUndefined();
    expect(await textSent(`${words}yet `)).toMatchObject({ flush: true });
    expect(fake.speech.requests).toHaveLength(1);

    tts.close();
    tts = new ElevenLabsTts({ apiKey: "test-xi-key", baseUrl: fake.url, chunkLengthSchedule: [50] });
    const early = tts.openStream({ voice: "jessica", signal: new AbortController().signal });
    const second = hear(early);
    early.write(words);
    early.write("yet ");
    // Past 50 characters the words go at once, and the vendor starts on them before any flush.
    expect(await textSent(words)).not.toHaveProperty("flush");
    for (let i = 0; i < 500 && fake.speech.requests.length < 2; i++)
      await new Promise((r) => setTimeout(r, 2));
    expect(fake.speech.requests).toHaveLength(2);
    expect(fake.streamMessages.filter((m) => m["text"] === " ").at(-1)).toMatchObject({
      generation_config: { chunk_length_schedule: [50] },
    });
    early.flush();
    early.end();
    expect((await second).error).toBeUndefined();
    expect(await textSent("yet ")).toMatchObject({ flush: true });
  });

  it("keeps the connection for the next reply", async () => {
    await rig();
    for (const text of ["One. ", "Two. "]) {
      const stream = tts.openStream({ voice: "chris", signal: new AbortController().signal });
      const heard = hear(stream);
      stream.write(text);
      stream.flush();
      stream.end();
      expect((await heard).error).toBeUndefined();
    }
    expect(fake.streamUrls).toHaveLength(1);
    expect(fake.speech.requests.map((r) => r.text)).toEqual(["One.", "Two."]);
  });

  it("opens the voice's connection at warmup, once, and the first reply speaks on it", async () => {
    await rig();
    await Promise.all([tts.warmup("chris"), tts.warmup("chris")]);
    await tts.warmup("chris");
    expect(fake.streamUrls).toHaveLength(1);
    expect(fake.streamUrls[0]?.pathname).toContain(ELEVENLABS_VOICE_IDS.chris);
    const stream = tts.openStream({ voice: "chris", signal: new AbortController().signal });
    const heard = hear(stream);
    stream.write("One. ");
    stream.flush();
    stream.end();
    expect((await heard).error).toBeUndefined();
    expect(fake.streamUrls).toHaveLength(1);
  });

  it("opens a new connection when the kept one was closed, before or after the reply took it", async () => {
    await rig();
    const reply = async (text: string) => {
      const stream = tts.openStream({ voice: "chris", signal: new AbortController().signal });
      const heard = hear(stream);
      stream.write(text);
      stream.flush();
      stream.end();
      return heard;
    };
    expect((await reply("One. ")).error).toBeUndefined();
    fake.dropStreams();
    expect((await reply("Two. ")).error).toBeUndefined();
    expect(fake.streamUrls).toHaveLength(2);
    fake.dropStreamsOnNextMessage();
    const third = await reply("Three. ");
    expect(third.error).toBeUndefined();
    expect(third.bytes[0]).toBeGreaterThan(0);
    expect(fake.streamUrls).toHaveLength(3);
    expect(fake.speech.requests.map((r) => r.text)).toEqual(["One.", "Two.", "Three."]);
  });

  it("stops at once on abort mid-reply, closes its contexts, and the next reply speaks", async () => {
    await rig();
    fake.speech.setDefault({ durationMs: 3000, chunkMs: 100, realtimeFactor: 2 });
    const controller = new AbortController();
    const stream = tts.openStream({ voice: "jessica", signal: controller.signal });
    let afterAbort = 0;
    const heard = hear(stream, (e) => {
      if (controller.signal.aborted) afterAbort++;
      if (e.type === "audio") controller.abort();
    });
    stream.write("A long first sentence that keeps going. ");
    stream.flush();
    stream.write("And another one. ");
    stream.flush();
    stream.write("And then ");
    const out = await heard;
    expect((out.error as Error).name).toBe("AbortError");
    expect(afterAbort).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    const closes = fake.streamMessages.filter((m) => m["close_context"] === true).map((m) => m["context_id"]);
    const opened = [...new Set(fake.streamMessages.map((m) => m["context_id"]))];
    // Each context is closed once: the flushed ones with their flush, the one taking text on abort.
    expect(opened).toHaveLength(3);
    expect(closes).toEqual(opened);
    expect(fake.streamMessages.at(-1)).toEqual({ context_id: opened[2], close_context: true });

    fake.speech.setDefault({});
    const next = tts.openStream({ voice: "jessica", signal: new AbortController().signal });
    const again = hear(next);
    next.write("Still here. ");
    next.flush();
    next.end();
    expect((await again).error).toBeUndefined();
    // The cut reply's flushed contexts still generate on the first connection: the next reply opens its own.
    expect(fake.streamUrls).toHaveLength(2);
  });

  it("fails with a ProviderError and no audio when the vendor fails before the first audio", async () => {
    await rig();
    fake.speech.reply({ status: 500, message: "boom" });
    const stream = tts.openStream({ voice: "jessica", signal: new AbortController().signal });
    const heard = hear(stream);
    stream.write("Hello. ");
    stream.flush();
    stream.end();
    const out = await heard;
    expect(out.events.filter((e) => e.type === "audio")).toHaveLength(0);
    expect(out.error).toBeInstanceOf(ProviderError);
  });

  it("fails with the status when the key is refused", async () => {
    await rig({ apiKey: "wrong-key" });
    const stream = tts.openStream({ voice: "jessica", signal: new AbortController().signal });
    const heard = hear(stream);
    stream.write("Hello. ");
    stream.flush();
    stream.end();
    const out = await heard;
    expect(out.error).toBeInstanceOf(ProviderError);
    expect((out.error as ProviderError).status).toBe(401);
    expect(String((out.error as Error).message)).not.toContain("wrong-key");
  });

  it("gives up when no audio comes after a flush", async () => {
    await rig({ audioTimeoutMs: 200 });
    fake.speech.reply({ hang: true });
    const stream = tts.openStream({ voice: "jessica", signal: new AbortController().signal });
    const heard = hear(stream);
    stream.write("Hello. ");
    stream.flush();
    stream.end();
    const out = await heard;
    expect(out.error).toBeInstanceOf(ProviderError);
    expect((out.error as ProviderError).kind).toBe("no_first_token");
  });

  it("fails after the audio so far when the connection is cut mid-segment", async () => {
    await rig();
    fake.speech.reply({ durationMs: 2000, cutAfterMs: 500, chunkMs: 100, realtimeFactor: 20 });
    const stream = tts.openStream({ voice: "jessica", signal: new AbortController().signal });
    const heard = hear(stream);
    stream.write("A sentence that will be cut off. ");
    stream.flush();
    stream.end();
    const out = await heard;
    expect(out.bytes[0]).toBeGreaterThan(0);
    expect(out.bytes[0]).toBeLessThan(16000);
    expect(out.error).toBeInstanceOf(ProviderError);
  });
});
