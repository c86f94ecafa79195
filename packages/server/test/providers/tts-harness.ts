import type { Voice } from "@clawcall/contract";
import { mulawDecode } from "../../src/media/mulaw.ts";
import { ElevenLabsTts } from "../../src/providers/tts/elevenlabs-tts.ts";
import { OpenAiTts } from "../../src/providers/tts/openai-tts.ts";
import type { TTS } from "../../src/providers/tts/tts.ts";
import { ELEVENLABS_VOICE_IDS, OPENAI_VOICES } from "../../src/providers/tts/voices.ts";
import { startFakeElevenLabs } from "../fakes/fake-elevenlabs.ts";
import { startFakeOpenAi } from "../fakes/fake-openai.ts";
import type { FakeTtsControl } from "../fakes/tts-script.ts";

export interface TtsRig {
  tts: TTS;
  speech: FakeTtsControl;
  /** The vendor's voice for one of ours, as the fake should see it. */
  vendorVoice(voice: Voice): string;
  connections(): number;
  close(): Promise<void>;
}

export interface TtsHarness {
  name: string;
  start(options?: { maxRetries?: number }): Promise<TtsRig>;
}

export const TTS_HARNESSES: TtsHarness[] = [
  {
    name: "ElevenLabs",
    async start(options = {}) {
      const fake = await startFakeElevenLabs({
        apiKey: "test-xi-key",
        voiceIds: Object.values(ELEVENLABS_VOICE_IDS),
      });
      const tts = new ElevenLabsTts({
        apiKey: "test-xi-key",
        baseUrl: fake.url,
        maxRetries: options.maxRetries ?? 0,
      });
      return {
        tts,
        speech: fake.speech,
        vendorVoice: (voice) => ELEVENLABS_VOICE_IDS[voice],
        connections: fake.connections,
        close: fake.close,
      };
    },
  },
  {
    name: "OpenAI",
    async start(options = {}) {
      const fake = await startFakeOpenAi({ apiKey: "test-openai-key" });
      const tts = new OpenAiTts({
        apiKey: "test-openai-key",
        baseUrl: fake.url,
        maxRetries: options.maxRetries ?? 0,
      });
      return {
        tts,
        speech: fake.speech,
        vendorVoice: (voice) => OPENAI_VOICES[voice],
        connections: fake.connections,
        close: fake.close,
      };
    },
  },
];

export interface Spoken {
  chunks: Uint8Array[];
  audio: Uint8Array;
  error: unknown;
}

export async function speak(
  tts: TTS,
  text: string,
  voice: Voice = "jessica",
  signal?: AbortSignal,
): Promise<Spoken> {
  const chunks: Uint8Array[] = [];
  let error: unknown;
  try {
    for await (const chunk of tts.synthesize({
      text,
      voice,
      signal: signal ?? new AbortController().signal,
    })) {
      chunks.push(chunk);
    }
  } catch (e) {
    error = e;
  }
  return { chunks, audio: Buffer.concat(chunks), error };
}

/** Pitch of mu-law audio from its zero crossings, ignoring the edges. */
export function pitchOf(mulaw: Uint8Array): number {
  const pcm = mulawDecode(mulaw);
  const from = 200;
  const to = pcm.length - 200;
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if (pcm[i - 1]! < 0 !== pcm[i]! < 0) crossings++;
  return crossings / 2 / ((to - from) / 8000);
}
