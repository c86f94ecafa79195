import { FRAME_BYTES, SAMPLE_RATE } from "../../src/media/media-stream.ts";
import { mulawEncode } from "../../src/media/mulaw.ts";

/**
 * What the emulator's media client plays on the far end of a call. The sandbox personas plug in here
 * through `calleeFactory`; until then the scripted callee below stands in.
 */
export interface CalleeContext {
  to: string;
  /** The emulated call's id, for tests that match what a callee did to the call. */
  callControlId: string;
  /** "bridge": the user a transfer rang and joined to the callee, in the agent's place. */
  leg?: "bridge";
  /** Presses a key on the callee's phone (reaches the agent as inbound DTMF). */
  sendDigit(digit: string): void;
  /** The callee hangs up. */
  hangup(): void;
}

export interface EmulatedCallee {
  /** The callee's next 20 ms (160 mu-law bytes), or undefined for silence. */
  nextFrame(): Uint8Array | undefined;
  /** 20 ms of the agent's audio, as it is played out on the callee's phone. */
  hearAgent(frame: Uint8Array): void;
  /** A keypad digit the agent sent with send_dtmf. */
  hearDigit(digit: string): void;
  /** A media message of the agent's arrived on the stream (before it is queued for play-out). */
  agentAudioArrived?(): void;
  /** Bytes of the agent's queued audio (not line silence) just played out. */
  agentPlayed?(bytes: number): void;
  /** A mark of the agent's was reached in play-out. */
  agentMark?(name: string): void;
  /** The agent's queued audio was cleared: what was left before the next mark, and the marks queued. */
  agentCleared?(remainingBytes: number, marks: readonly string[]): void;
  /**
   * Follows this callee's own audio as it plays out (bytes, then the mark after them), so a party joined
   * to it by a transfer learns its words the way a callee learns the agent's.
   */
  followOwnAudio?(listener: { played(bytes: number): void; mark(name: string): void }): void;
  close(): void;
}

export type CalleeFactory = (ctx: CalleeContext) => EmulatedCallee;

export function toneFrames(hz: number, ms: number, amplitude = 8000): Uint8Array[] {
  const samples = Math.round((SAMPLE_RATE * ms) / 1000);
  const pcm = new Int16Array(samples);
  for (let i = 0; i < samples; i++)
    pcm[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE));
  const mulaw = mulawEncode(pcm);
  const frames: Uint8Array[] = [];
  for (let i = 0; i + FRAME_BYTES <= mulaw.length; i += FRAME_BYTES)
    frames.push(mulaw.slice(i, i + FRAME_BYTES));
  return frames;
}

export interface ScriptedCalleeOptions {
  /** Hang up this long after answering; never if undefined. */
  hangupAfterMs?: number;
}

/** Says "hello" (a 440 Hz tone), echoes every digit it hears as DTMF plus a short tone, counts agent audio. */
export function scriptedCallee(options: ScriptedCalleeOptions = {}): CalleeFactory {
  return (ctx) => {
    const queue: Uint8Array[] = toneFrames(440, 500);
    let heardFrames = 0;
    const timer =
      options.hangupAfterMs === undefined ? undefined : setTimeout(() => ctx.hangup(), options.hangupAfterMs);
    return {
      nextFrame: () => queue.shift(),
      hearAgent: () => {
        heardFrames++;
      },
      hearDigit: (digit) => {
        ctx.sendDigit(digit);
        queue.push(...toneFrames(880, 100));
      },
      close: () => {
        clearTimeout(timer);
        void heardFrames;
      },
    };
  };
}
