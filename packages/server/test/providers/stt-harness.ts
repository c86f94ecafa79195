import { mulawEncode } from "../../src/media/mulaw.ts";
import type { STT, SttEvent, SttSession } from "../../src/providers/stt/stt.ts";

/** Collects a session's events and lets a test wait for one. */
export class EventLog {
  readonly events: SttEvent[] = [];
  private waiters: { match(e: SttEvent): boolean; resolve(e: SttEvent): void }[] = [];

  readonly onEvent = (event: SttEvent) => {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  };

  next<T extends SttEvent["type"]>(type: T, timeoutMs = 5000): Promise<Extract<SttEvent, { type: T }>> {
    const seen = this.events.find((e) => e.type === type);
    if (seen) return Promise.resolve(seen as Extract<SttEvent, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} event`)), timeoutMs);
      this.waiters.push({
        match: (e) => e.type === type,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as Extract<SttEvent, { type: T }>);
        },
      });
    });
  }

  texts(type: "interim" | "final"): string[] {
    return this.events.flatMap((e) => (e.type === type ? [e.text] : []));
  }
}

const FRAME = 160;

/** 20 ms frames of 8 kHz mu-law: a loud tone stands in for speech, digital silence for the pauses. */
export function speechFrames(ms: number): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let n = 0;
  for (let f = 0; f < ms / 20; f++) {
    const pcm = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++, n++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * n) / 8000));
    frames.push(mulawEncode(pcm));
  }
  return frames;
}

export function silenceFrames(ms: number): Uint8Array[] {
  return Array.from({ length: ms / 20 }, () => new Uint8Array(FRAME).fill(0xff));
}

export function send(session: SttSession, frames: Uint8Array[], mayWaitMs = 0): void {
  for (const frame of frames) session.write(frame, mayWaitMs);
}

export async function openMulaw(
  stt: STT,
  log: EventLog,
  signal = new AbortController().signal,
  hints?: string[],
) {
  return stt.open({
    encoding: "mulaw",
    sampleRate: 8000,
    language: "en-US",
    signal,
    onEvent: log.onEvent,
    hints,
  });
}
