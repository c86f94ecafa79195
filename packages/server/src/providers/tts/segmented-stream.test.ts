import { describe, expect, it } from "vitest";
import { synthesizeSegments } from "./segmented-stream.ts";
import type { TTS, TtsRequest } from "./tts.ts";

/** A synthesiser that answers every text at once with one piece of audio as long as the text. */
const instant: TTS = {
  name: "instant",
  capabilities: { streaming: true, outputFormats: ["mulaw_8000"] },
  async *synthesize(request: TtsRequest) {
    yield new Uint8Array(request.text.length);
  },
};

describe("synthesizeSegments", () => {
  it("speaks a long reply whose text comes slower than its audio without gathering a listener per wait", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const stream = synthesizeSegments(instant, {
        voice: "sarah",
        signal: new AbortController().signal,
      });
      const events = stream.events[Symbol.asyncIterator]();
      const heard: string[] = [];
      // Thirty sentences, each written only once the one before has been heard to its end.
      for (let i = 0; i < 30; i++) {
        const text = `Sentence number ${i}.`;
        const next = events.next();
        stream.write(text);
        stream.flush();
        const audio = await next;
        expect(audio.value).toMatchObject({ type: "audio", segment: i });
        heard.push(text);
        expect((await events.next()).value).toEqual({ type: "end", segment: i });
      }
      stream.end();
      expect((await events.next()).done).toBe(true);
      expect(heard).toHaveLength(30);
      // Node reports a listener leak as a warning on the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});
