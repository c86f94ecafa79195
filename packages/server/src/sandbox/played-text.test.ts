import { describe, expect, it } from "vitest";
import { FRAME_BYTES } from "../media/media-stream.ts";
import { SpokenTextJournal } from "../voice/spoken-text.ts";
import { sineMulaw } from "../voice/synth.ts";
import { createMediaPair } from "./media-pair.ts";
import { PlayedTextFollower } from "./played-text.ts";

const TEN_WORDS = "one two three four five six seven eight nine ten";

/** A line clocked fast (2 ms frames) whose callee side records the words it was told it heard. */
function line() {
  const journal = new SpokenTextJournal();
  const heard: string[] = [];
  const pair = createMediaPair({
    frameMs: 2,
    agentWords: new PlayedTextFollower(journal, (t) => heard.push(t)),
  });
  let framesToCallee = 0;
  pair.callee.attach({ onAudio: () => framesToCallee++ });
  const marks: string[] = [];
  pair.agent.attach({ onAudio: () => undefined, onMark: (m) => marks.push(m) });
  const untilFrames = async (n: number) => {
    const target = framesToCallee + n;
    while (framesToCallee < target) await new Promise((r) => setTimeout(r, 1));
  };
  return { journal, heard, pair, marks, untilFrames };
}

describe("the words a sandbox callee is told it heard", () => {
  it("a chunk counts once its audio has been played out to the mark after it", async () => {
    const { journal, heard, pair, marks, untilFrames } = line();
    try {
      journal.note("a-1", "Hello, this is a test.");
      pair.agent.send(sineMulaw(440, 400));
      expect(heard).toEqual([]);
      pair.agent.mark("a-1");
      while (!marks.includes("a-1")) await untilFrames(1);
      expect(heard).toEqual(["Hello, this is a test."]);
      expect(journal.size).toBe(0);
    } finally {
      pair.end("hangup");
    }
  });

  it("a barge-in keeps only the words whose audio was out, and nothing after them", async () => {
    const { journal, heard, pair, untilFrames } = line();
    try {
      journal.note("b-1", TEN_WORDS);
      journal.note("b-2", "never played");
      pair.agent.send(sineMulaw(440, 1000));
      pair.agent.mark("b-1");
      pair.agent.send(sineMulaw(440, 500));
      pair.agent.mark("b-2");
      // 1000 ms is 50 frames: stop a little after 40% of the first chunk.
      await untilFrames(21);
      pair.agent.clear();
      expect(heard).toHaveLength(1);
      const words = heard[0]!.split(" ");
      expect(words.length).toBeGreaterThanOrEqual(4);
      expect(words.length).toBeLessThan(10);
      expect(TEN_WORDS.startsWith(heard[0]!)).toBe(true);
      expect(journal.size).toBe(0);
    } finally {
      pair.end("hangup");
    }
  });

  it("a clear before any of a chunk played tells the callee nothing", async () => {
    const { journal, heard, pair } = line();
    try {
      journal.note("c-1", TEN_WORDS);
      pair.agent.send(new Uint8Array(FRAME_BYTES * 10).fill(0x10));
      pair.agent.mark("c-1");
      pair.agent.clear();
      expect(heard).toEqual([]);
    } finally {
      pair.end("hangup");
    }
  });
});
