import { afterEach, describe, expect, it } from "vitest";
import type { MediaHandlers, MediaStream } from "../media/media-stream.ts";
import type { SttSession } from "../providers/stt/stt.ts";
import type { TTS, TtsRequest } from "../providers/tts/tts.ts";
import { createMediaPair, type MediaPair } from "../sandbox/media-pair.ts";
import { sineMulaw } from "./synth.ts";
import { VoiceSession } from "./voice-session.ts";

/** A synthesiser that ignores cancellation and keeps streaming (a slow vendor). */
class StubbornTts implements TTS {
  readonly name = "stubborn";
  readonly capabilities = { streaming: true, outputFormats: ["mulaw_8000"] as const };
  async *synthesize(request: TtsRequest): AsyncIterable<Uint8Array> {
    for (let i = 0; i < Math.max(2, request.text.length / 8); i++) {
      await new Promise((r) => setTimeout(r, 15));
      yield sineMulaw(600, 60);
    }
  }
}

const noStt = { write() {}, flush() {}, async close() {} };

describe("VoiceSession speaking", () => {
  let pair: MediaPair | null = null;
  afterEach(() => pair?.end("hangup"));

  it("a reply cut short does not disturb the next one, even if synthesis ignores the abort", async () => {
    pair = createMediaPair({});
    pair.callee.attach({ onAudio: () => {} });
    const session = new VoiceSession({
      media: pair.agent,
      stt: noStt,
      tts: new StubbornTts(),
      voice: "jessica",
      handlers: { onUserTurn: () => {} },
    });
    const first = session.speak("This first reply is fairly long and will be stopped early by the agent.");
    await new Promise((r) => setTimeout(r, 120));
    session.stopSpeaking();
    const cut = await first;
    expect(cut.interrupted).toBe(true);
    const second = await session.speak("Second reply. Heard in full.");
    expect(second).toEqual({ text: "Second reply. Heard in full.", interrupted: false });
    session.close();
  });

  it("reports the spoken text of a streamed source chunk by chunk, with its first-audio latency", async () => {
    pair = createMediaPair({});
    pair.callee.attach({ onAudio: () => {} });
    const session = new VoiceSession({
      media: pair.agent,
      stt: noStt,
      tts: new StubbornTts(),
      voice: "jessica",
      handlers: { onUserTurn: () => {} },
    });
    async function* tokens() {
      for (const t of ["Okay, ", "that ", "works. ", "See ", "you ", "then."]) {
        await new Promise((r) => setTimeout(r, 5));
        yield t;
      }
    }
    const turn = { text: "Is Thursday fine?", speechEndedAt: performance.now(), duringReply: false };
    const result = await session.speak(() => tokens(), { replyTo: turn });
    expect(result.text).toBe("Okay, that works. See you then.");
    expect(session.latencySummary().turns).toBe(1);
    session.close();
  });
});

/** A session on a media stream the test plays frames into, with the recogniser given. */
function hearingSession(stt: SttSession): { session: VoiceSession; hear(frame: Uint8Array): void } {
  let handlers: MediaHandlers | undefined;
  const media: MediaStream = {
    attach: (h) => {
      handlers = h;
    },
    send() {},
    mark() {},
    clear() {},
    close() {},
  };
  const session = new VoiceSession({
    media,
    stt,
    tts: new StubbornTts(),
    voice: "jessica",
    handlers: { onUserTurn: () => {} },
  });
  return { session, hear: (frame) => handlers?.onAudio(frame) };
}

/**
 * A session whose recogniser notes how long each frame may wait ("0", "200", "200 quiet"): `hear` plays
 * `frames` copies of a frame and answers what the recogniser was told of each.
 */
function waitsHeard() {
  const waits: string[] = [];
  const { session, hear: hearFrame } = hearingSession({
    write: (_audio, mayWaitMs, quiet) => waits.push(`${mayWaitMs ?? 0}${quiet ? " quiet" : ""}`),
    flush() {},
    async close() {},
  });
  const hear = (frame: Uint8Array, frames: number) => {
    const from = waits.length;
    for (let i = 0; i < frames; i++) hearFrame(frame);
    return waits.slice(from);
  };
  return { session, hear };
}

const silence = new Uint8Array(160).fill(0xff);

describe("VoiceSession hearing", () => {
  it("hands the recogniser frames of its own, though the media stream reuses one buffer for them all", () => {
    const kept: Uint8Array[] = [];
    const { session, hear } = hearingSession({
      write: (audio) => kept.push(audio),
      flush() {},
      async close() {},
    });
    // A Buffer, as the Telnyx stream's is: its slice() would be a view of the same memory.
    const reused = Buffer.alloc(160);
    for (const byte of [0x11, 0x22, 0x33]) {
      reused.fill(byte);
      hear(reused);
    }
    expect(kept.map((frame) => [frame.length, frame[0], frame[159]])).toEqual([
      [160, 0x11, 0x11],
      [160, 0x22, 0x22],
      [160, 0x33, 0x33],
    ]);
    session.close();
  });

  it("marks the line quiet, audio that may wait 200 ms, once 400 ms pass without voice and no words are pending", () => {
    const { session, hear } = waitsHeard();
    // Before any words nothing waits on the line's audio; it is quiet from the 20th frame.
    const opening = hear(silence, 30);
    expect(opening.indexOf("200 quiet")).toBe(19);
    expect(opening.slice(0, 19).every((w) => w === "200")).toBe(true);
    expect(opening.slice(19).every((w) => w === "200 quiet")).toBe(true);
    // Speech may wait 100 ms while no reply plays; the quiet after it goes at once while its words are
    // awaited.
    expect(new Set(hear(sineMulaw(300, 20), 10))).toEqual(new Set(["100"]));
    expect(new Set(hear(silence, 80))).toEqual(new Set(["0"]));
    session.onSttEvent({ type: "final", text: "Yes, that works.", endOfUtterance: true });
    expect(hear(silence, 5)).toEqual(Array(5).fill("200 quiet"));
    session.close();
  });

  it("lets the audio after a turn's final wait, and marks it quiet 400 ms after the voice", () => {
    const { session, hear } = waitsHeard();
    hear(silence, 30);
    hear(sineMulaw(300, 20), 10);
    // Past the VAD's hangover (240 ms), the recogniser's endpointing: the words are awaited.
    expect(new Set(hear(silence, 14))).toEqual(new Set(["0"]));
    session.onSttEvent({ type: "final", text: "Yes, that works.", endOfUtterance: true });
    const after = hear(silence, 10);
    const quietFrom = after.indexOf("200 quiet");
    // Quiet from the 20th frame after the last voiced one: 14 heard before the final, 6 after it.
    expect(quietFrom).toBe(5);
    expect(after.slice(0, quietFrom).every((w) => w === "200")).toBe(true);
    expect(after.slice(quietFrom).every((w) => w === "200 quiet")).toBe(true);
    session.close();
  });

  it("hands the recogniser speech at once while a reply plays: barge-in waits on its words", () => {
    const waits: number[] = [];
    const { session, hear } = hearingSession({
      write: (_audio, mayWaitMs) => waits.push(mayWaitMs ?? 0),
      flush() {},
      async close() {},
    });
    for (let i = 0; i < 30; i++) hear(silence);
    void session.speak("A reply long enough to be talked over by the callee.");
    const from = waits.length;
    for (let i = 0; i < 10; i++) hear(sineMulaw(300, 20));
    expect(new Set(waits.slice(from))).toEqual(new Set([0]));
    session.close();
  });
});
