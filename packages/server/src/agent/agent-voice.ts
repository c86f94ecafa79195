import type { MediaCloseReason } from "../media/media-stream.ts";
import type { BridgeResult } from "../telephony/carrier.ts";
import type { UserTurn } from "../voice/session-types.ts";
import type { ProviderNames, ReportFailure } from "./agent-failure.ts";
import type { Speaker } from "./model-turn.ts";

// What the call agent and its mode pieces (listening, hold, voicemail, handoff) see of the call around them.

/** The voice session as the agent sees it: speech out, a few facts about the line. */
export interface AgentVoice extends Speaker {
  readonly speaking: boolean;
  readonly calleeSpeaking: boolean;
  readonly lastActivity: number;
  /** Audio received from the callee so far, in milliseconds of the line's own clock. */
  readonly heardMs: number;
  /** Speech was heard whose words the recogniser has not given yet. */
  readonly wordsPending: boolean;
  /** Asks the recogniser to give what it heard now. */
  flushRecognition(): void;
  stopSpeaking(): void;
}

/** What the agent is told about the world around it beyond the call: a clock and where failures go. */
export interface AgentHooks {
  now?: () => number;
  /** Each provider failure the agent meets (recovered or not), for the operator's log and metrics. */
  onFailure?: ReportFailure;
  providerNames?: ProviderNames;
}
/** What reaches the agent's event loop: the voice session's news, its timers', the handoff's result. */
export type AgentEvent =
  | { type: "turn"; turn: UserTurn }
  | { type: "speech_start" }
  | { type: "tone" }
  | { type: "music" }
  | { type: "stt_error"; error: Error }
  | { type: "closed"; reason: MediaCloseReason | "ended" }
  | { type: "deadline" }
  | { type: "machine" }
  | { type: "handoff"; result: BridgeResult }
  | { type: "tick" };

/**
 * listening: answered, nothing said yet, waiting to hear what answered; menu: a phone menu answered and
 * the opening waits for a person; handoff: the user's phone rings and the agent holds the line.
 */
export type AgentMode = "listening" | "menu" | "conversation" | "hold" | "voicemail" | "handoff" | "done";
