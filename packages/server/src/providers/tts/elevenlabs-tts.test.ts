import { afterEach, describe, expect, it } from "vitest";
import { type FakeElevenLabs, startFakeElevenLabs } from "../../../test/fakes/fake-elevenlabs.ts";
import { ElevenLabsTts } from "./elevenlabs-tts.ts";

describe("ElevenLabsTts on the wire", () => {
  let fake: FakeElevenLabs;
  afterEach(async () => {
    await fake?.close();
  });

  it("asks for ulaw_8000 with the key and the chosen model", async () => {
    fake = await startFakeElevenLabs();
    const tts = new ElevenLabsTts({
      apiKey: "xi-test",
      baseUrl: fake.url,
      model: "eleven_turbo_v2_5",
      maxRetries: 0,
    });
    for await (const _ of tts.synthesize({
      text: "Hi there.",
      voice: "chris",
      signal: new AbortController().signal,
    })) {
      // drain
    }
    expect(fake.apiKeys).toEqual(["xi-test"]);
    const seen = fake.speech.requests[0];
    expect(seen?.format).toBe("ulaw_8000");
    expect(seen?.model).toBe("eleven_turbo_v2_5");
    expect(seen?.voice).toBe("iP95p4xoKVk53GoZ742B");
  });

  it("uses an account's own voice id when one is configured", async () => {
    fake = await startFakeElevenLabs();
    const tts = new ElevenLabsTts({
      apiKey: "k",
      baseUrl: fake.url,
      voiceIds: { sarah: "myOwnVoice" },
      maxRetries: 0,
    });
    for await (const _ of tts.synthesize({
      text: "Hi.",
      voice: "sarah",
      signal: new AbortController().signal,
    })) {
      // drain
    }
    expect(fake.speech.requests[0]?.voice).toBe("myOwnVoice");
  });
});
