// Room providers/: STT, LLM and TTS seams with capabilities, vendor adapters, fallbacks, default models.
import { describeHost } from "./abort.ts";
import { DEFAULT_MODELS } from "./default-models.ts";
import { PROVIDER_SETTINGS } from "./env.ts";
import type { FallbackOptions } from "./fallback-order.ts";
import { FallbackLlm } from "./llm/fallback-llm.ts";
import type { LLM } from "./llm/llm.ts";
import { FallbackStt } from "./stt/fallback-stt.ts";
import type { STT } from "./stt/stt.ts";
import { FallbackTts } from "./tts/fallback-tts.ts";
import type { TTS } from "./tts/tts.ts";

export type { LLM } from "./llm/llm.ts";
export type { STT } from "./stt/stt.ts";
export type { TTS } from "./tts/tts.ts";

/** Plain settings for the model vendors; the config module fills them from the environment. */
export interface ProviderSettings {
  /** OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL: any OpenAI-compatible chat endpoint. */
  openai?: { apiKey?: string; baseUrl?: string; model?: string };
  /** ANTHROPIC_API_KEY (+ model). */
  anthropic?: { apiKey: string; model?: string; baseUrl?: string };
  /** DEEPGRAM_API_KEY; baseUrl is ws(s)://. */
  deepgram?: { apiKey: string; baseUrl?: string; model?: string };
  /** ELEVENLABS_API_KEY; ELEVENLABS_CHUNK_LENGTH_SCHEDULE for its WebSocket's generation schedule. */
  elevenlabs?: { apiKey: string; baseUrl?: string; model?: string; chunkLengthSchedule?: readonly number[] };
  /**
   * OpenAI speech. When absent, the `openai` key is used for speech too, but only if that key talks to
   * OpenAI itself (no base URL): another compatible endpoint rarely serves /audio/speech.
   */
  openaiTts?: { apiKey: string; baseUrl?: string; model?: string };
  /** Which vendor goes first when several are configured (the others become fallbacks). */
  prefer?: { llm?: "openai" | "anthropic"; tts?: "elevenlabs" | "openai" };
  /** Told when a provider failed and the next was tried: a place to log the vendor name and error. */
  onFallback?: FallbackOptions["onFallback"];
}

export interface Providers {
  llm?: LLM;
  stt?: STT;
  tts?: TTS;
  /** One line per active provider, for the boot log; names and hosts, never keys. */
  describe(): string[];
  /** What is missing for real calls; empty when the service can hold a conversation. */
  missing(): string[];
}

export { DEFAULT_MODELS } from "./default-models.ts";
export { PROVIDER_SETTINGS } from "./env.ts";

interface Entry<T> {
  vendor: string;
  provider: T;
  line: string;
}

/**
 * The configured vendors' adapters. Each vendor SDK is loaded only when that vendor is configured: some
 * take seconds to load, and a service without them (the sandbox, tests) should not pay for it.
 */
export async function createProviders(settings: ProviderSettings): Promise<Providers> {
  const llms: Entry<LLM>[] = [];
  const { openai, anthropic, deepgram, elevenlabs } = settings;
  if (openai && (openai.apiKey || openai.baseUrl)) {
    const model = openai.model ?? DEFAULT_MODELS.openai;
    const { OpenAiLlm } = await import("./llm/openai-llm.ts");
    llms.push({
      vendor: "openai",
      provider: new OpenAiLlm({ apiKey: openai.apiKey, baseUrl: openai.baseUrl, model }),
      line: `OpenAI-compatible ${model} at ${describeHost(openai.baseUrl, "api.openai.com")}`,
    });
  }
  if (anthropic?.apiKey) {
    const model = anthropic.model ?? DEFAULT_MODELS.anthropic;
    const { AnthropicLlm } = await import("./llm/anthropic-llm.ts");
    llms.push({
      vendor: "anthropic",
      provider: new AnthropicLlm({ apiKey: anthropic.apiKey, baseUrl: anthropic.baseUrl, model }),
      line: `Anthropic ${model} at ${describeHost(anthropic.baseUrl, "api.anthropic.com")}`,
    });
  }

  const stts: Entry<STT>[] = [];
  if (deepgram?.apiKey) {
    const model = deepgram.model ?? DEFAULT_MODELS.deepgram;
    const { DeepgramStt } = await import("./stt/deepgram-stt.ts");
    stts.push({
      vendor: "deepgram",
      provider: new DeepgramStt({ apiKey: deepgram.apiKey, baseUrl: deepgram.baseUrl, model }),
      line: `Deepgram ${model} streaming, 8 kHz mu-law at ${describeHost(deepgram.baseUrl, "api.deepgram.com")}`,
    });
  }

  const ttss: Entry<TTS>[] = [];
  if (elevenlabs?.apiKey) {
    const model = elevenlabs.model ?? DEFAULT_MODELS.elevenlabs;
    const { ElevenLabsTts } = await import("./tts/elevenlabs-tts.ts");
    ttss.push({
      vendor: "elevenlabs",
      provider: new ElevenLabsTts({
        apiKey: elevenlabs.apiKey,
        baseUrl: elevenlabs.baseUrl,
        model,
        chunkLengthSchedule: elevenlabs.chunkLengthSchedule,
      }),
      line: `ElevenLabs ${model}, ulaw_8000${
        elevenlabs.chunkLengthSchedule
          ? `, chunks of ${elevenlabs.chunkLengthSchedule.join("/")} characters`
          : ""
      } at ${describeHost(elevenlabs.baseUrl, "api.elevenlabs.io")}`,
    });
  }
  const speech =
    settings.openaiTts ?? (openai?.apiKey && !openai.baseUrl ? { apiKey: openai.apiKey } : undefined);
  if (speech?.apiKey) {
    const model = speech.model ?? DEFAULT_MODELS.openaiTts;
    const { OpenAiTts } = await import("./tts/openai-tts.ts");
    ttss.push({
      vendor: "openai",
      provider: new OpenAiTts({ apiKey: speech.apiKey, baseUrl: speech.baseUrl, model }),
      line: `OpenAI speech ${model}, 24 kHz resampled to 8 kHz mu-law at ${describeHost(speech.baseUrl, "api.openai.com")}`,
    });
  }

  preferFirst(llms, settings.prefer?.llm);
  preferFirst(ttss, settings.prefer?.tts);
  const fallback = { onFallback: settings.onFallback };
  const llm = combine(llms, (list) => new FallbackLlm(list, fallback));
  const stt = combine(stts, (list) => new FallbackStt(list, fallback));
  const tts = combine(ttss, (list) => new FallbackTts(list, fallback));

  return {
    ...(llm ? { llm } : {}),
    ...(stt ? { stt } : {}),
    ...(tts ? { tts } : {}),
    describe: () => [...lines("LLM", llms), ...lines("STT", stts), ...lines("TTS", ttss)],
    missing: () => [
      ...(llms.length ? [] : [`LLM: set ${PROVIDER_SETTINGS.llm}`]),
      ...(stts.length ? [] : [`STT: set ${PROVIDER_SETTINGS.stt}`]),
      ...(ttss.length ? [] : [`TTS: set ${PROVIDER_SETTINGS.tts}`]),
    ],
  };
}

function preferFirst<T>(entries: Entry<T>[], vendor: string | undefined): void {
  const index = entries.findIndex((e) => e.vendor === vendor);
  if (index > 0) entries.unshift(...entries.splice(index, 1));
}

function combine<T>(entries: Entry<T>[], wrap: (providers: T[]) => T): T | undefined {
  if (entries.length === 0) return undefined;
  if (entries.length === 1) return entries[0]!.provider;
  return wrap(entries.map((e) => e.provider));
}

function lines<T>(kind: string, entries: Entry<T>[]): string[] {
  return entries.map(
    (e, i) => `${kind}: ${e.line}${entries.length > 1 ? (i === 0 ? " (primary)" : " (fallback)") : ""}`,
  );
}
