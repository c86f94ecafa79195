// What a voice session (voice-session.ts) is given and what it tells: its settings and handlers, the
// callee's turns and the agent's replies.
import type { Voice } from "@clawcall/contract";
import type { MediaCloseReason, MediaStream } from "../media/media-stream.ts";
import type { SttSession } from "../providers/stt/stt.ts";
import type { TTS } from "../providers/tts/tts.ts";
import type { BargeInOptions } from "./barge-in.ts";
import type { EndOfTurnOptions } from "./end-of-turn.ts";
import type { MusicDetectorOptions } from "./music-detector.ts";
import type { SpokenTextJournal } from "./spoken-text.ts";
import type { TextChunkerOptions } from "./text-chunker.ts";
import type { DetectedTone, ToneDetectorOptions } from "./tone-detector.ts";
import type { VadOptions } from "./vad.ts";

export interface VoiceSessionSettings {
  vad?: VadOptions;
  endOfTurn?: EndOfTurnOptions;
  bargeIn?: BargeInOptions;
  tone?: ToneDetectorOptions;
  music?: MusicDetectorOptions;
  chunker?: TextChunkerOptions;
}

/** One finished turn of the callee. */
export interface UserTurn {
  text: string;
  /** When the callee's last voiced frame arrived (performance.now()), or null if the VAD heard none. */
  speechEndedAt: number | null;
  /** The agent was still speaking when the turn ended (a remark that did not interrupt it). */
  duringReply: boolean;
}

export interface SpeakOptions {
  /** The callee turn this answers: its latency is measured to this reply's first audio. */
  replyTo?: UserTurn;
  /** False for lines that must be heard whole (a goodbye): callee speech does not cut them. */
  interruptible?: boolean;
  signal?: AbortSignal;
}

export interface SpeakResult {
  /** What was actually played out to the callee. */
  text: string;
  /** Cut short by the callee (barge-in) or by `stopSpeaking`. */
  interrupted: boolean;
  /** The text source or the speech synthesis failed. */
  error?: Error;
}

export interface VoiceSessionHandlers {
  onUserTurn(turn: UserTurn): void;
  /**
   * The callee went quiet with these words heard (before the recogniser's final), while the agent was
   * silent: a reply may be prepared for them. Null: they spoke again, so the preview no longer stands.
   */
  onTurnPreview?(text: string | null): void;
  onSpeechStart?(): void;
  onBargeIn?(): void;
  onTone?(tone: DetectedTone): void;
  onMusic?(): void;
  onDigit?(digit: string): void;
  onSttError?(error: Error): void;
  onClose?(reason: MediaCloseReason): void;
}

export interface VoiceSessionOptions {
  media: MediaStream;
  stt: SttSession;
  tts: TTS;
  voice: Voice;
  handlers: VoiceSessionHandlers;
  settings?: VoiceSessionSettings;
  now?: () => number;
  /** Where the text of each played chunk is noted by its mark (given only for simulated far ends). */
  spokenText?: SpokenTextJournal;
}
