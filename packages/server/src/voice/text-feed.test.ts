import { describe, expect, it } from "vitest";
import { TextChunker } from "./text-chunker.ts";
import { type FeedStep, TextFeed } from "./text-feed.ts";

const TEXTS = [
  "Great choice, I have booked a table for two at seven tonight. Is there anything else I can help with?",
  'He said "we open at 3.30 p.m." and then, e.g. on Mondays, Dr. Smith takes over; J. Doe is off.',
  "Hello. . . Is anybody there?! I can wait — no problem at all.\nNew line here",
  "A very long stretch of words without any punctuation at all that just keeps going on and on past the limit of the chunker so that it has to cut somewhere at a space because nothing else will end it before it gets really long and then some more words follow",
  "It costs 1,000 dollars (or about 950 euros), right? Yes.",
];

/** Splits `text` into pieces of 1 to 6 characters, deterministically for a seed. */
function tokens(text: string, seed: number): string[] {
  const out: string[] = [];
  let state = seed;
  for (let i = 0; i < text.length; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (state % 6);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

function run(pieces: string[], options = {}): { segments: string[]; chunks: string[]; steps: FeedStep[] } {
  const feed = new TextFeed(options);
  const steps = [...pieces.flatMap((p) => feed.push(p)), ...feed.finish()];
  const segments: string[] = [];
  const chunks: string[] = [];
  let open = "";
  for (const step of steps) {
    if ("write" in step) open += step.write;
    else {
      segments.push(open);
      chunks.push(step.flush);
      open = "";
    }
  }
  expect(open).toBe("");
  return { segments, chunks, steps };
}

describe("TextFeed", () => {
  it("writes each chunk's words, and only them, before its flush, however the tokens fall", () => {
    for (const text of TEXTS) {
      for (let seed = 1; seed <= 25; seed++) {
        const pieces = tokens(text, seed);
        const { segments, chunks, steps } = run(pieces);
        const chunker = new TextChunker();
        const expected = [...pieces.flatMap((p) => chunker.push(p)), chunker.flush()].filter(
          (c) => c !== null,
        );
        expect(chunks).toEqual(expected);
        expect(segments).toEqual(chunks.map((c) => `${c} `));
        for (const step of steps) if ("write" in step) expect(step.write).toMatch(/\S $/);
      }
    }
  });

  it("writes words before the chunk ends, so synthesis can start on them", () => {
    const { steps } = run(["Let ", "me ", "check ", "the ", "calendar ", "for ", "you."]);
    expect(steps.slice(0, 3)).toEqual([{ write: "Let " }, { write: "me " }, { write: "check " }]);
    expect(steps.at(-1)).toEqual({ flush: "Let me check the calendar for you." });
  });

  it("flushes the first clause as soon as it is complete", () => {
    const feed = new TextFeed();
    expect(feed.push("Great choice")).toEqual([{ write: "Great " }]);
    expect(feed.push(",")).toEqual([{ write: "choice, " }, { flush: "Great choice," }]);
  });

  it("holds back punctuation that could make a chunk of its own", () => {
    const { chunks, segments } = run(['Done. "', " ", "Next", " one."]);
    expect(segments).toEqual(chunks.map((c) => `${c} `));
  });
});
