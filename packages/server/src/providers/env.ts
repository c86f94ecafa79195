import { z } from "zod";
import { type EnvValues, optionalString, url } from "../env/fields.ts";
import type { ProviderSettings } from "./index.ts";

/**
 * ElevenLabs' chunk_length_schedule: the characters its WebSocket buffers before each generation, comma
 * separated (its own default is 120,160,250,290; lower values speak sooner, at some cost in quality).
 */
const chunkLengthSchedule = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (!value) return undefined;
    const lengths = value.split(",").map((part) => part.trim());
    // ElevenLabs takes each length from 50 to 500.
    if (
      lengths.length > 10 ||
      !lengths.every((l) => /^\d+$/.test(l) && Number(l) >= 50 && Number(l) <= 500)
    ) {
      ctx.addIssue({
        code: "custom",
        message: "up to 10 character counts from 50 to 500, comma separated (e.g. 50,120,160,290)",
      });
      return z.NEVER;
    }
    return lengths.map(Number);
  });

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
  ELEVENLABS_CHUNK_LENGTH_SCHEDULE: chunkLengthSchedule,
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
      ? {
          apiKey: e.ELEVENLABS_API_KEY,
          baseUrl: e.ELEVENLABS_BASE_URL,
          chunkLengthSchedule: e.ELEVENLABS_CHUNK_LENGTH_SCHEDULE,
        }
      : undefined,
    prefer: { llm: e.CLAWCALL_LLM },
  };
}
