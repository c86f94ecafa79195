/**
 * What a fake TTS vendor answers, independent of its wire format. The audio is a steady tone whose
 * length follows the text, so tests can check the duration and pitch of what comes out.
 */
export interface FakeTtsReply {
  /** Length of the audio; defaults to 40 ms per character (at least 200 ms). */
  durationMs?: number;
  /** Pitch of the tone (Hz). */
  toneHz?: number;
  /** Delay before the first audio bytes (after headers). Falls back to the fake's default. */
  firstByteMs?: number;
  /** Audio per chunk written (ms). */
  chunkMs?: number;
  /** Streams at this multiple of real time (1 = as fast as it plays); 0 or absent = no pacing. */
  realtimeFactor?: number;
  /** Sends this much audio, then destroys the socket mid-body. */
  cutAfterMs?: number;
  /** Called as the first audio bytes are written, so a benchmark can time them. */
  onFirstByte?(): void;
}

export interface FakeTtsFailure {
  status: number;
  message?: string;
}

export interface FakeTtsHang {
  hang: true;
}

export type FakeTtsOutcome = FakeTtsReply | FakeTtsFailure | FakeTtsHang;

export interface FakeTtsRequestView {
  text: string;
  /** The vendor's voice id or name as sent. */
  voice: string;
  model: string;
  /** The vendor's output format as sent (e.g. "ulaw_8000", "pcm"). */
  format: string;
  raw: Record<string, unknown>;
}

export type FakeTtsScript = FakeTtsOutcome | ((request: FakeTtsRequestView) => FakeTtsOutcome);

export interface FakeTtsControl {
  reply(...scripts: FakeTtsScript[]): void;
  setDefault(script: FakeTtsScript): void;
  /** Default delay before first audio for replies that do not set it. */
  setFirstByteMs(ms: number): void;
  readonly requests: FakeTtsRequestView[];
}

export const DEFAULT_TONE_HZ = 440;

export class TtsScriptQueue implements FakeTtsControl {
  readonly requests: FakeTtsRequestView[] = [];
  private queue: FakeTtsScript[] = [];
  private fallback: FakeTtsScript = {};
  private firstByteMs = 0;

  reply(...scripts: FakeTtsScript[]): void {
    this.queue.push(...scripts);
  }
  setDefault(script: FakeTtsScript): void {
    this.fallback = script;
  }
  setFirstByteMs(ms: number): void {
    this.firstByteMs = ms;
  }

  next(view: FakeTtsRequestView): FakeTtsOutcome {
    this.requests.push(view);
    const script = this.queue.shift() ?? this.fallback;
    const outcome = typeof script === "function" ? script(view) : script;
    if ("status" in outcome || "hang" in outcome) return outcome;
    return {
      ...outcome,
      firstByteMs: outcome.firstByteMs ?? this.firstByteMs,
      durationMs: outcome.durationMs ?? Math.max(200, view.text.length * 40),
    };
  }
}

/** PCM16 samples of the reply's tone at `sampleRate`. */
export function toneSamples(reply: FakeTtsReply, sampleRate: number): Int16Array {
  const count = Math.round(((reply.durationMs ?? 200) * sampleRate) / 1000);
  const hz = reply.toneHz ?? DEFAULT_TONE_HZ;
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
  return out;
}

/** Writes `audio` in paced chunks per the reply; destroys the socket early when the reply says so. */
export async function streamAudio(
  res: import("node:http").ServerResponse,
  audio: Uint8Array,
  bytesPerMs: number,
  reply: FakeTtsReply,
): Promise<void> {
  const { pause, gone, cutOff } = await import("./loopback.ts");
  await pause(reply.firstByteMs ?? 0, res);
  const chunkBytes = Math.max(1, Math.round((reply.chunkMs ?? 100) * bytesPerMs));
  const cutAt = reply.cutAfterMs === undefined ? Number.POSITIVE_INFINITY : reply.cutAfterMs * bytesPerMs;
  for (let offset = 0; offset < audio.length; offset += chunkBytes) {
    if (gone(res)) return;
    if (offset >= cutAt) return cutOff(res);
    const chunk = audio.subarray(offset, Math.min(offset + chunkBytes, audio.length));
    res.write(chunk);
    if (offset === 0) reply.onFirstByte?.();
    if (reply.realtimeFactor && reply.realtimeFactor > 0) {
      await pause(chunk.length / bytesPerMs / reply.realtimeFactor, res);
    } else {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  if (cutAt < Number.POSITIVE_INFINITY) return cutOff(res);
  res.end();
}
