// Room media/: the ground floor of audio: the media seam, 20 ms frames and the mu-law codec.
/**
 * The media seam: one per answered call, provided by a carrier (the Telnyx media WebSocket, the sandbox).
 * Audio is G.711 mu-law, 8 kHz, mono, in 20 ms frames of 160 bytes both ways.
 *
 * Outbound audio is buffered and played out by the far end at real-time pace, as carriers do:
 * `send` may be called faster than real time, `mark` asks to be told when everything sent before it
 * has actually been played, and `clear` drops whatever has not been played yet.
 */
export const FRAME_MS = 20;
export const SAMPLE_RATE = 8000;
export const FRAME_BYTES = (SAMPLE_RATE * FRAME_MS) / 1000;

export type MediaCloseReason = "hangup" | "dropped";

export interface MediaHandlers {
  /** One inbound frame of the callee's audio (mu-law). The buffer may be reused after the call returns. */
  onAudio(frame: Uint8Array): void;
  /** A keypad digit the far end pressed (inbound DTMF). */
  onDigit?(digit: string): void;
  /** Everything sent before `mark(name)` has been played out. */
  onMark?(name: string): void;
  /** The stream ended: the call hung up, or the media path dropped under a live call. */
  onClose?(reason: MediaCloseReason): void;
}

export interface MediaStream {
  /** Registers the session's handlers; frames that arrive before this are dropped. */
  attach(handlers: MediaHandlers): void;
  /**
   * Queues outbound mu-law audio (any length; split into frames by the far end's pace). The stream may
   * put it on the wire a moment later, with what follows: the caller leaves the buffer as it is.
   */
  send(audio: Uint8Array): void;
  mark(name: string): void;
  /** Drops outbound audio that has not been played yet (barge-in). Pending marks are not reported. */
  clear(): void;
  close(): void;
}
