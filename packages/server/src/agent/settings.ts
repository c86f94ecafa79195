import type { VoiceSessionSettings } from "../voice/session-types.ts";

/** Everything tunable about how the agent holds a call; times in milliseconds. */
export interface VoiceAgentSettings {
  /** Recogniser language. */
  language: string;
  /** After answer, how long to wait for the callee to speak first before the opening line. */
  openingWaitMs: number;
  /** If the callee started speaking at answer, the longest their first turn may delay the opening. */
  firstTurnMaxWaitMs: number;
  /** No one heard and nothing said for this long: the agent says goodbye and hangs up. */
  silentLineMs: number;
  /** Upper bound on any call; the call's own `maxTalkSeconds` (balance) may be lower. */
  maxCallMs: number;
  /** Time left before the limit when the agent starts its goodbye (scaled down for short limits). */
  goodbyeReserveMs: number;
  /** The longest the agent waits on hold before giving up. */
  holdBudgetMs: number;
  /** While the user's phone rings for a handoff, quiet this long gets a short "still connecting" line. */
  handoffCheckInMs: number;
  /** After a voicemail greeting is recognised, how long to wait for the beep before speaking anyway. */
  beepWaitMs: number;
  /** A voicemail greeting followed by this much silence (no beep) is taken as ready to record. */
  voicemailQuietMs: number;
  /** No reply started this long after the agent began answering: it says one short holding phrase. */
  firstTokenDeadlineMs: number;
  /** What it says then. */
  holdingPhrase: string;
  /** A model attempt that has produced nothing by then is given up and tried again (or the next model). */
  replyTimeoutMs: number;
  /** Model attempts per reply before the agent ends the call politely as failed. */
  modelAttempts: number;
  /** Model calls allowed for one callee turn (tool results feed back into the model). */
  maxModelCallsPerTurn: number;
  temperature: number;
  maxTokens: number;
  /** How long a recogniser session opened while ringing is kept for the answer. */
  preparedSessionTtlMs: number;
  /** Resolution of the agent's timers. */
  tickMs: number;
  voice: VoiceSessionSettings;
}

export const DEFAULT_VOICE_AGENT_SETTINGS: VoiceAgentSettings = {
  language: "en-US",
  openingWaitMs: 1200,
  firstTurnMaxWaitMs: 8000,
  silentLineMs: 20_000,
  maxCallMs: 30 * 60_000,
  goodbyeReserveMs: 6000,
  holdBudgetMs: 20 * 60_000,
  // Under the ten seconds after which a person on hold starts asking whether anyone is still there.
  handoffCheckInMs: 7000,
  beepWaitMs: 15_000,
  voicemailQuietMs: 3000,
  firstTokenDeadlineMs: 2000,
  holdingPhrase: "One moment.",
  replyTimeoutMs: 6000,
  modelAttempts: 2,
  maxModelCallsPerTurn: 3,
  temperature: 0.4,
  maxTokens: 300,
  preparedSessionTtlMs: 180_000,
  tickMs: 100,
  voice: {},
};

export type VoiceAgentSettingsInput = Partial<Omit<VoiceAgentSettings, "voice">> & {
  voice?: VoiceSessionSettings;
};

export function resolveVoiceAgentSettings(input: VoiceAgentSettingsInput = {}): VoiceAgentSettings {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  return {
    ...DEFAULT_VOICE_AGENT_SETTINGS,
    ...defined,
    voice: { ...DEFAULT_VOICE_AGENT_SETTINGS.voice, ...input.voice },
  };
}
