import { afterEach, describe, expect, it } from "vitest";
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
