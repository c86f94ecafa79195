/**
 * The callee the real-path bench plays through the Telnyx emulator's media stream: it speaks queued
 * utterances at the stream's 20 ms pace and notes, on the bench's clock, when each utterance's first and
 * last speech frames go onto the wire, when the agent's media messages arrive, and when playback is
 * cleared. The emulator's media client echoes marks as the agent's audio plays, as Telnyx does.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { FRAME_BYTES, SAMPLE_RATE } from "../packages/server/src/media/media-stream.ts";
import { mulawDecode, mulawEncode } from "../packages/server/src/media/mulaw.ts";
import type { FliteSynth } from "../packages/server/src/sandbox/speech/flite.ts";
import type { CalleeContext, EmulatedCallee } from "../packages/server/test/telnyx-emulator/callee.ts";

/** Frame RMS above which the fake recogniser hears speech (its default). */
const SPEECH_RMS = 500;

const rms = (frame: Uint8Array) => {
  const pcm = mulawDecode(frame);
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / pcm.length);
};

/**
 * Synthesises `text` with flite's 8 kHz voice into 20 ms mu-law frames, trimmed to its speech. A pause
 * inside it as long as the recogniser's endpointing would end the turn there, so it is refused.
 */
export async function speechFrames(
  synth: FliteSynth,
  text: string,
  maxPauseMs: number,
): Promise<Uint8Array[]> {
  const audio = await synth.synthesize(text, "kal");
  if (audio.sampleRate !== SAMPLE_RATE) throw new Error(`flite spoke at ${audio.sampleRate} Hz`);
  const mulaw = mulawEncode(audio.pcm);
  const frames: Uint8Array[] = [];
  for (let i = 0; i + FRAME_BYTES <= mulaw.length; i += FRAME_BYTES)
    frames.push(mulaw.slice(i, i + FRAME_BYTES));
  // End of speech is the last loud frame sent: quiet tails would blur it.
  const first = frames.findIndex((f) => rms(f) > SPEECH_RMS);
  const last = frames.findLastIndex((f) => rms(f) > SPEECH_RMS);
  if (first < 0) throw new Error(`flite said nothing for "${text}"`);
  const speech = frames.slice(first, last + 1);
  let quiet = 0;
  for (const f of speech) {
    quiet = rms(f) > SPEECH_RMS ? 0 : quiet + 1;
    if (quiet * 20 >= maxPauseMs) throw new Error(`flite pauses ${maxPauseMs} ms or more inside "${text}"`);
  }
  return speech;
}

export interface Utterance {
  /** When the first frame went onto the wire (performance.now()). */
  onsetAt: number | null;
  /** When the last (speech) frame went onto the wire. */
  endAt: number | null;
  /**
   * When the first frames after it went onto the wire: the carrier's pacing wavers by a millisecond or
   * two, so time counted in frames after the speech is read from these rather than from `endAt`.
   */
  after: number[];
}

/** Frames after each utterance whose sending is noted (Utterance.after). */
const FRAMES_NOTED_AFTER = 5;

export class BenchCallee implements EmulatedCallee {
  /** Arrival times of the agent's media messages. */
  readonly arrivals: number[] = [];
  /** When the agent's playback was cleared (a barge-in). */
  readonly clears: number[] = [];
  lastPlayedAt = 0;
  closed = false;
  /** The utterance whose last frame went out most recently. */
  private lastSaid: Utterance | null = null;
  private queue: { frame: Uint8Array; utterance: Utterance; first: boolean; last: boolean }[] = [];

  constructor(readonly ctx: CalleeContext) {}

  say(frames: readonly Uint8Array[]): Utterance {
    const utterance: Utterance = { onsetAt: null, endAt: null, after: [] };
    for (const [i, frame] of frames.entries()) {
      this.queue.push({ frame, utterance, first: i === 0, last: i === frames.length - 1 });
    }
    return utterance;
  }

  nextFrame(): Uint8Array | undefined {
    // The media client sends the frame right after this returns.
    const said = this.lastSaid;
    if (said !== null && said.after.length < FRAMES_NOTED_AFTER) said.after.push(performance.now());
    const next = this.queue.shift();
    if (!next) return undefined;
    if (next.first) next.utterance.onsetAt = performance.now();
    if (next.last) {
      next.utterance.endAt = performance.now();
      this.lastSaid = next.utterance;
    }
    return next.frame;
  }

  hearAgent(): void {}
  hearDigit(): void {}
  agentAudioArrived(): void {
    this.arrivals.push(performance.now());
  }
  agentPlayed(): void {
    this.lastPlayedAt = performance.now();
  }
  agentCleared(): void {
    this.clears.push(performance.now());
  }
  close(): void {
    this.closed = true;
  }

  firstArrivalAfter(t: number): number | undefined {
    return this.arrivals.find((x) => x >= t);
  }

  /** Resolves once the agent's audio has arrived after `t` and played out, then `quietMs` of quiet. */
  /** `until`: stop waiting when it says so (the bench is over, say). */
  async agentFinished(t: number, quietMs: number, timeoutMs: number, until = () => false): Promise<void> {
    await waitFor(
      () =>
        until() ||
        (this.firstArrivalAfter(t) !== undefined &&
          this.lastPlayedAt > t &&
          performance.now() - this.lastPlayedAt > quietMs),
      timeoutMs,
      "the agent to finish speaking",
    );
  }
}

export async function waitFor(ok: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
