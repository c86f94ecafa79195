import { afterEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../../test/fakes/fake-anthropic.ts";
import { startFakeDeepgram } from "../../test/fakes/fake-deepgram.ts";
import { startFakeElevenLabs } from "../../test/fakes/fake-elevenlabs.ts";
import { startFakeOpenAi } from "../../test/fakes/fake-openai.ts";
import { collect } from "../../test/providers/llm-harness.ts";
import { EventLog, openMulaw } from "../../test/providers/stt-harness.ts";
import { speak } from "../../test/providers/tts-harness.ts";
import { createProviders } from "./index.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe("createProviders", () => {
  it("with nothing configured, has no providers and says what is missing", async () => {
    const providers = await createProviders({});
    expect(providers.llm).toBeUndefined();
    expect(providers.stt).toBeUndefined();
    expect(providers.tts).toBeUndefined();
    expect(providers.describe()).toEqual([]);
    expect(providers.missing()).toHaveLength(3);
    expect(providers.missing().join("\n")).toMatch(/LLM[\s\S]*STT[\s\S]*TTS/);
  });

  it("wires every vendor to its overridden base URL, and a call goes through each", async () => {
    const [openai, anthropic, deepgram, eleven] = await Promise.all([
      startFakeOpenAi(),
      startFakeAnthropic(),
      startFakeDeepgram(),
      startFakeElevenLabs(),
    ]);
    closers.push(openai.close, anthropic.close, deepgram.close, eleven.close);
    const providers = await createProviders({
      openai: { apiKey: "sk-one", baseUrl: openai.url, model: "gpt-x" },
      anthropic: { apiKey: "ak-two", baseUrl: anthropic.url },
      deepgram: { apiKey: "dg-three", baseUrl: deepgram.url },
      elevenlabs: { apiKey: "xi-four", baseUrl: eleven.url },
      openaiTts: { apiKey: "sk-one", baseUrl: openai.url },
    });
    expect(providers.missing()).toEqual([]);

    openai.chat.reply({ text: "Hi." });
    expect((await collect(providers.llm!, { messages: [] })).text).toBe("Hi.");
    expect((await speak(providers.tts!, "Hello.")).audio.length).toBeGreaterThan(0);
    expect(eleven.speech.requests).toHaveLength(1);
    const session = await openMulaw(providers.stt!, new EventLog());
    await session.close();
    expect(deepgram.sessions).toHaveLength(1);

    const lines = providers.describe();
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^LLM: OpenAI-compatible gpt-x .*\(primary\)$/);
    expect(lines[1]).toMatch(/^LLM: Anthropic .*\(fallback\)$/);
    for (const secret of ["sk-one", "ak-two", "dg-three", "xi-four"])
      expect(lines.join("\n")).not.toContain(secret);
  });

  it("gives each reply's ElevenLabs contexts the chunk schedule it was configured with", async () => {
    const eleven = await startFakeElevenLabs();
    closers.push(eleven.close);
    const providers = await createProviders({
      elevenlabs: { apiKey: "xi", baseUrl: eleven.url, chunkLengthSchedule: [50, 120] },
    });
    expect(providers.describe().find((l) => l.startsWith("TTS"))).toMatch(/chunks of 50\/120 characters/);
    const stream = providers.tts!.openStream!({ voice: "jessica", signal: new AbortController().signal });
    const heard = (async () => {
      for await (const _ of stream.events);
    })();
    stream.write("Hello there. ");
    stream.flush();
    stream.end();
    await heard;
    expect(eleven.streamMessages[0]).toMatchObject({
      text: " ",
      generation_config: { chunk_length_schedule: [50, 120] },
    });
  });

  it("puts the preferred vendor first", async () => {
    const providers = await createProviders({
      openai: { apiKey: "sk" },
      anthropic: { apiKey: "ak" },
      elevenlabs: { apiKey: "xi" },
      prefer: { llm: "anthropic", tts: "openai" },
    });
    const lines = providers.describe();
    expect(lines.find((l) => l.startsWith("LLM") && l.endsWith("(primary)"))).toMatch(/Anthropic/);
    expect(lines.find((l) => l.startsWith("TTS") && l.endsWith("(primary)"))).toMatch(/OpenAI speech/);
  });

  it("does not borrow a local OpenAI-compatible server for speech", async () => {
    const providers = await createProviders({
      openai: { baseUrl: "http://127.0.0.1:11434/v1", model: "llama3" },
    });
    expect(providers.llm).toBeDefined();
    expect(providers.tts).toBeUndefined();
    expect(providers.missing().some((m) => m.startsWith("TTS"))).toBe(true);
  });

  it("never shows credentials embedded in a base URL", async () => {
    const providers = await createProviders({
      openai: { apiKey: "sk", baseUrl: "https://me:hunter2@llm.example.com/v1" },
    });
    expect(providers.describe().join("\n")).not.toContain("hunter2");
    expect(providers.describe()[0]).toContain("llm.example.com");
  });
});
