import type { Voice } from "@clawcall/contract";

/** ElevenLabs premade voices of the same names (ids from its voice library). */
export const ELEVENLABS_VOICE_IDS: Readonly<Record<Voice, string>> = {
  jessica: "cgSgspJ2msm6clMCkdW9",
  sarah: "EXAVITQu4vr4xnSDxMaL",
  chris: "iP95p4xoKVk53GoZ742B",
  eric: "cjVigY5qzO86Huf0OWal",
};

/**
 * OpenAI has no voices of these names: each maps to the nearest in character, keeping the gender.
 * Jessica (young, bright) → nova; Sarah (calm, reassuring) → shimmer; Chris (casual) → echo;
 * Eric (deeper, steady) → onyx. All four exist on tts-1 and gpt-4o-mini-tts.
 */
export const OPENAI_VOICES: Readonly<Record<Voice, string>> = {
  jessica: "nova",
  sarah: "shimmer",
  chris: "echo",
  eric: "onyx",
};
