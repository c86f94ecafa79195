import { describe, expect, it } from "vitest";
import { chunkText, TextChunker } from "./text-chunker.ts";

function stream(text: string, pieceSize: number, options?: ConstructorParameters<typeof TextChunker>[0]) {
  const chunker = new TextChunker(options);
  const emitted: Array<{ chunk: string; afterChars: number }> = [];
  for (let i = 0; i < text.length; i += pieceSize) {
    for (const chunk of chunker.push(text.slice(i, i + pieceSize))) {
      emitted.push({ chunk, afterChars: Math.min(text.length, i + pieceSize) });
    }
  }
  const rest = chunker.flush();
  if (rest !== null) emitted.push({ chunk: rest, afterChars: text.length });
  return emitted;
}

describe("TextChunker", () => {
  it("splits sentences as soon as the next word starts", () => {
    const text = "Hi there. I'm calling about the appointment! Is Thursday okay?";
    const out = stream(text, 3);
    expect(out.map((o) => o.chunk)).toEqual([
      "Hi there.",
      "I'm calling about the appointment!",
      "Is Thursday okay?",
    ]);
    // The first sentence is released long before the text ends.
    expect(out[0]!.afterChars).toBeLessThan(15);
  });

  it("releases a long first clause at a comma so speech can start early", () => {
    const text = "I'm calling on behalf of Jordan Lee, who has an appointment with you on Thursday at three.";
    const out = stream(text, 4, { minClauseChars: 20 });
    expect(out.map((o) => o.chunk)).toEqual([
      "I'm calling on behalf of Jordan Lee,",
      "who has an appointment with you on Thursday at three.",
    ]);
    expect(out[0]!.afterChars).toBeLessThan(45);
  });

  it("does not split short clauses, decimals, thousands or abbreviations", () => {
    expect(chunkText("Yes, sure. It costs 1,500 dollars or 3.5 percent. Dr. Smith agreed.")).toEqual([
      "Yes, sure.",
      "It costs 1,500 dollars or 3.5 percent.",
      "Dr. Smith agreed.",
    ]);
  });

  it("cuts text without punctuation at a space once it is too long", () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const chunks = chunkText(words, { maxChars: 60 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(60);
    expect(chunks.join(" ")).toBe(words);
  });

  it("keeps closing quotes with their sentence and returns nothing for blank input", () => {
    expect(chunkText('She said "see you then." Bye.')).toEqual(['She said "see you then."', "Bye."]);
    expect(chunkText("   ")).toEqual([]);
  });

  it("starts speech on a short first clause, on the punctuation token itself", () => {
    const tokens = [
      "Great",
      " choice",
      ",",
      " and",
      " your",
      " table",
      " is",
      " booked",
      " for",
      " seven",
      ".",
    ];
    const chunker = new TextChunker();
    const released: Array<{ chunk: string; atToken: number }> = [];
    tokens.forEach((t, i) => {
      for (const chunk of chunker.push(t)) released.push({ chunk, atToken: i });
    });
    expect(released).toEqual([
      { chunk: "Great choice,", atToken: 2 },
      { chunk: "and your table is booked for seven.", atToken: 10 },
    ]);
  });

  it("holds later short clauses together, and waits where the next token could change the boundary", () => {
    expect(chunkText("Sure, thanks. Yes, at two, okay.")).toEqual(["Sure, thanks.", "Yes, at two, okay."]);
    const chunker = new TextChunker();
    for (const [token, out] of [
      ["It costs 3", []],
      [".", []],
      ["5 percent", []],
      [". See Dr", ["It costs 3.5 percent."]],
      [".", []],
      [" Smith", []],
      [" at 1", []],
      [",", []],
      ["000 Main St", []],
      ["reet", []],
      [" (the ", []],
      ["corner.", []],
      [")", ["See Dr. Smith at 1,000 Main Street (the corner.)"]],
    ] as Array<[string, string[]]>) {
      expect(chunker.push(token), token).toEqual(out);
    }
    expect(chunker.flush()).toBeNull();
  });

  it("leaves no stray closing quote as a chunk of its own", () => {
    const chunker = new TextChunker();
    expect(chunker.push('He said "fine')).toEqual([]);
    expect(chunker.push('."')).toEqual(['He said "fine."']);
    expect(chunker.push(" Then")).toEqual([]);
    expect(chunker.push(" bye.")).toEqual(["Then bye."]);
    expect(chunker.push('"')).toEqual([]);
    expect(chunker.flush()).toBeNull();
  });
});
