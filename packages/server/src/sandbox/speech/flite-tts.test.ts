import { describe, expect, it } from "vitest";
import type { FliteAudio, FliteSynth } from "./flite.ts";
import { FliteTts } from "./flite-tts.ts";

/** A synthesiser that counts its runs and answers with a tone-like ramp per text. */
function countingSynth(fail = false) {
  const runs: string[] = [];
  const synth = {
    async synthesize(text: string): Promise<FliteAudio> {
      runs.push(text);
      if (fail && runs.length === 1) throw new Error("flite: worker exited");
      return {
        pcm: Int16Array.from({ length: 80 * text.length }, (_, i) => (i * 37) % 2000),
        sampleRate: 8000,
      };
    },
  } as unknown as FliteSynth;
  return { synth, runs };
}

async function say(tts: FliteTts, text: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of tts.synthesize({ text, voice: "jessica", signal: new AbortController().signal }))
    chunks.push(c);
  expect(chunks).toHaveLength(1);
  return chunks[0]!;
}

describe("the agent's offline voice", () => {
  it("says a line again from memory, and shares one synthesis between calls asking at once", async () => {
    const { synth, runs } = countingSynth();
    const tts = new FliteTts(synth);
    const [a, b] = await Promise.all([say(tts, "One moment."), say(tts, "One moment.")]);
    const c = await say(tts, "One moment.");
    expect(runs).toEqual(["One moment."]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    await say(tts, "Goodbye.");
    expect(runs).toEqual(["One moment.", "Goodbye."]);
  });

  it("tries a failed line again rather than keeping the failure", async () => {
    const { synth, runs } = countingSynth(true);
    const tts = new FliteTts(synth);
    await expect(say(tts, "Hello.")).rejects.toThrow(/worker exited/);
    expect((await say(tts, "Hello.")).length).toBeGreaterThan(0);
    expect(runs).toEqual(["Hello.", "Hello."]);
  });
});
