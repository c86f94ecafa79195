/** The model each vendor adapter uses when none is configured; the one place these names are written. */
export const DEFAULT_MODELS = {
  openai: "gpt-4o-mini",
  anthropic: "claude-3-5-haiku-latest",
  deepgram: "nova-3",
  elevenlabs: "eleven_flash_v2_5",
  openaiTts: "gpt-4o-mini-tts",
} as const;
