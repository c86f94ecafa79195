import { z } from "zod";
import { type EnvValues, optionalString, url } from "../env/fields.ts";
import type { ProviderSettings } from "./index.ts";

/** The model vendors' variables, under their conventional names. */
export const PROVIDER_ENV = {
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url,
  OPENAI_MODEL: optionalString,
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: url,
  ANTHROPIC_MODEL: optionalString,
  CLAWCALL_LLM: z.enum(["openai", "anthropic"]).optional(),
  DEEPGRAM_API_KEY: optionalString,
  DEEPGRAM_BASE_URL: url,
  ELEVENLABS_API_KEY: optionalString,
  ELEVENLABS_BASE_URL: url,
};

/** The settings that give the service each kind of provider, in words for the operator. */
export const PROVIDER_SETTINGS = {
  llm: "OPENAI_API_KEY (or OPENAI_BASE_URL for a local server) or ANTHROPIC_API_KEY",
  stt: "DEEPGRAM_API_KEY",
  tts: "ELEVENLABS_API_KEY or OPENAI_API_KEY",
} as const;

/** Which vendors are configured; a vendor without its key is left out. */
export function providerSettings(e: EnvValues<typeof PROVIDER_ENV>): ProviderSettings {
  return {
    // A base URL alone is enough for a local OpenAI-compatible server (Ollama, llama.cpp, vLLM).
    openai:
      e.OPENAI_API_KEY || e.OPENAI_BASE_URL
        ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL }
        : undefined,
    anthropic: e.ANTHROPIC_API_KEY
      ? { apiKey: e.ANTHROPIC_API_KEY, baseUrl: e.ANTHROPIC_BASE_URL, model: e.ANTHROPIC_MODEL }
      : undefined,
    deepgram: e.DEEPGRAM_API_KEY ? { apiKey: e.DEEPGRAM_API_KEY, baseUrl: e.DEEPGRAM_BASE_URL } : undefined,
    elevenlabs: e.ELEVENLABS_API_KEY
      ? { apiKey: e.ELEVENLABS_API_KEY, baseUrl: e.ELEVENLABS_BASE_URL }
      : undefined,
    prefer: { llm: e.CLAWCALL_LLM },
  };
}
