import { afterEach, describe, expect, it } from "vitest";
import { AnthropicLlm } from "../../src/providers/llm/anthropic-llm.ts";
import { FallbackLlm } from "../../src/providers/llm/fallback-llm.ts";
import { OpenAiLlm } from "../../src/providers/llm/openai-llm.ts";
import { DeepgramStt } from "../../src/providers/stt/deepgram-stt.ts";
import { FallbackStt } from "../../src/providers/stt/fallback-stt.ts";
import type { SttSession } from "../../src/providers/stt/stt.ts";
import { ElevenLabsTts } from "../../src/providers/tts/elevenlabs-tts.ts";
import { FallbackTts } from "../../src/providers/tts/fallback-tts.ts";
import { OpenAiTts } from "../../src/providers/tts/openai-tts.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fakes/fake-anthropic.ts";
import { type FakeDeepgram, startFakeDeepgram } from "../fakes/fake-deepgram.ts";
import { type FakeElevenLabs, startFakeElevenLabs } from "../fakes/fake-elevenlabs.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai.ts";
import { collect } from "./llm-harness.ts";
import { EventLog, openMulaw, send, silenceFrames, speechFrames } from "./stt-harness.ts";
import { speak } from "./tts-harness.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const messages = [{ role: "user" as const, content: "Hello?" }];

describe("FallbackLlm", () => {
  let openai: FakeOpenAi;
  let anthropic: FakeAnthropic;
  async function rig(options: { onFallback?(name: string): void } = {}) {
    openai = await startFakeOpenAi();
    anthropic = await startFakeAnthropic();
    closers.push(openai.close, anthropic.close);
    return new FallbackLlm(
      [
        new OpenAiLlm({ apiKey: "k", baseUrl: openai.url, model: "primary", maxRetries: 0 }),
        new AnthropicLlm({ apiKey: "k", baseUrl: anthropic.url, model: "secondary", maxRetries: 0 }),
      ],
      { onFallback: options.onFallback },
    );
  }

  it("answers from the next provider when the first fails before replying", async () => {
    const failed: string[] = [];
    const llm = await rig({ onFallback: (name) => failed.push(name) });
    openai.chat.reply({ status: 503 });
    anthropic.chat.reply({ text: "Hello from the backup." });
    const out = await collect(llm, { messages });
    expect(out.error).toBeUndefined();
    expect(out.text).toBe("Hello from the backup.");
    expect(failed).toEqual([`openai-compatible:primary@127.0.0.1:${new URL(openai.url).port}`]);
  });

  it("passes on a failure after the reply started, without asking another model", async () => {
    const llm = await rig();
    openai.chat.reply({ text: "I can do Tuesday at three", cutAfterTokens: 2, tokensPerSecond: 50 });
    const out = await collect(llm, { messages });
    expect(out.text).toBe("I can");
    expect(out.error).toBeDefined();
    expect(anthropic.chat.requests).toHaveLength(0);
  });

  it("puts a provider that just failed behind the others for the next turns", async () => {
    const llm = await rig();
    openai.chat.reply({ status: 500 });
    await collect(llm, { messages });
    await collect(llm, { messages });
    expect(openai.chat.requests).toHaveLength(1);
    expect(anthropic.chat.requests).toHaveLength(2);
  });

  it("does not try another provider once the turn is aborted", async () => {
    const llm = await rig();
    openai.chat.reply({ hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const out = await collect(llm, { messages, signal: controller.signal });
    expect((out.error as Error).name).toBe("AbortError");
    expect(anthropic.chat.requests).toHaveLength(0);
  });

  it("fails with the last error when every provider fails", async () => {
    const llm = await rig();
    openai.chat.reply({ status: 500 });
    anthropic.chat.reply({ status: 529 });
    const out = await collect(llm, { messages });
    expect(out.chunks).toEqual([]);
    expect((out.error as { status?: number }).status).toBe(529);
  });
});

describe("FallbackTts", () => {
  let eleven: FakeElevenLabs;
  let openai: FakeOpenAi;
  async function rig() {
    eleven = await startFakeElevenLabs();
    openai = await startFakeOpenAi();
    closers.push(eleven.close, openai.close);
    return new FallbackTts([
      new ElevenLabsTts({ apiKey: "k", baseUrl: eleven.url, maxRetries: 0 }),
      new OpenAiTts({ apiKey: "k", baseUrl: openai.url, maxRetries: 0 }),
    ]);
  }

  it("speaks through the next provider when the first refuses", async () => {
    const tts = await rig();
    eleven.speech.reply({ status: 429 });
    const out = await speak(tts, "Hello there.", "sarah");
    expect(out.error).toBeUndefined();
    expect(out.audio.length).toBeGreaterThan(800);
    expect(openai.speech.requests.map((r) => r.voice)).toEqual(["shimmer"]);
  });

  it("does not restart a sentence in another voice after audio has started", async () => {
    const tts = await rig();
    eleven.speech.reply({ durationMs: 2000, cutAfterMs: 300, realtimeFactor: 20 });
    const out = await speak(tts, "Hello there.");
    expect(out.audio.length).toBeGreaterThan(0);
    expect(out.error).toBeDefined();
    expect(openai.speech.requests).toHaveLength(0);
  });

  it("streams a reply's text to the next provider, from its first word, when the first fails before audio", async () => {
    const failed: string[] = [];
    eleven = await startFakeElevenLabs();
    openai = await startFakeOpenAi();
    closers.push(eleven.close, openai.close);
    const first = new ElevenLabsTts({ apiKey: "k", baseUrl: eleven.url, maxRetries: 0 });
    closers.push(async () => first.close());
    const tts = new FallbackTts([first, new OpenAiTts({ apiKey: "k", baseUrl: openai.url, maxRetries: 0 })], {
      onFallback: (name) => failed.push(name),
    });
    expect(tts.capabilities.inputStreaming).toBe(true);
    eleven.speech.reply({ status: 503 });
    const stream = tts.openStream({ voice: "sarah", signal: new AbortController().signal });
    const segments: number[] = [];
    const done = (async () => {
      for await (const event of stream.events) if (event.type === "end") segments.push(event.segment);
    })();
    stream.write("Hello ");
    stream.write("there. ");
    stream.flush();
    stream.write("Bye ");
    stream.write("now. ");
    stream.flush();
    stream.end();
    await done;
    expect(segments).toEqual([0, 1]);
    expect(failed).toEqual([first.name]);
    expect(openai.speech.requests.map((r) => r.text)).toEqual(["Hello there.", "Bye now."]);
  });

  it("passes a text stream's failure on once its audio has started", async () => {
    const tts = await rig();
    eleven.speech.reply({ durationMs: 2000, cutAfterMs: 300, realtimeFactor: 20 });
    const stream = tts.openStream({ voice: "jessica", signal: new AbortController().signal });
    stream.write("Hello there. ");
    stream.flush();
    stream.end();
    let bytes = 0;
    let error: unknown;
    try {
      for await (const event of stream.events) if (event.type === "audio") bytes += event.audio.length;
    } catch (e) {
      error = e;
    }
    expect(bytes).toBeGreaterThan(0);
    expect(error).toBeDefined();
    expect(openai.speech.requests).toHaveLength(0);
  });
});

describe("FallbackStt", () => {
  let primary: FakeDeepgram;
  let backup: FakeDeepgram;
  let session: SttSession | undefined;
  async function rig() {
    primary = await startFakeDeepgram();
    backup = await startFakeDeepgram();
    closers.push(primary.close, backup.close, async () => {
      await session?.close();
      session = undefined;
    });
    return new FallbackStt([
      new DeepgramStt({ apiKey: "k", baseUrl: primary.url, model: "nova-3" }),
      new DeepgramStt({ apiKey: "k", baseUrl: backup.url, model: "nova-2" }),
    ]);
  }

  it("opens the next provider when the first refuses the stream", async () => {
    const stt = await rig();
    primary.rejectNext(503);
    backup.hear("Front desk, how can I help");
    const log = new EventLog();
    session = await openMulaw(stt, log);
    send(session, [...speechFrames(1000), ...silenceFrames(500)]);
    expect((await log.next("final")).text).toBe("Front desk, how can I help");
    expect(backup.sessions[0]?.query.get("model")).toBe("nova-2");
  });

  it("moves to the next provider when the stream drops before anything was heard, keeping the audio", async () => {
    const stt = await rig();
    backup.hear("Sorry, say that again");
    const log = new EventLog();
    session = await openMulaw(stt, log);
    primary.sessions[0]!.drop();
    await primary.sessions[0]!.closed;
    // Written while the backup stream may still be opening: it must reach the backup all the same.
    send(session, [...speechFrames(1000), ...silenceFrames(500)]);
    expect((await log.next("final")).text).toBe("Sorry, say that again");
    expect(log.events.filter((e) => e.type === "error")).toEqual([]);
  });

  it("reports a drop after the first transcript instead of switching", async () => {
    const stt = await rig();
    const log = new EventLog();
    session = await openMulaw(stt, log);
    primary.sessions[0]!.final("hello", { speechFinal: true });
    await log.next("final");
    primary.sessions[0]!.drop();
    await log.next("error");
    expect(backup.sessions).toHaveLength(0);
  });
});
