export interface TextChunkerOptions {
  /** A clause (comma, semicolon, colon, dash) ends a chunk only once the chunk is at least this long. */
  minClauseChars?: number;
  /**
   * The same for the reply's first chunk, shorter so that speech starts on a short opening clause
   * ("Great choice,") instead of waiting for the sentence to end.
   */
  firstClauseMinChars?: number;
  /** A chunk with no punctuation is cut at a space once it gets this long. */
  maxChars?: number;
}

// Words whose trailing period does not end a sentence.
const ABBREVIATIONS = new Set([
  "dr",
  "mr",
  "mrs",
  "ms",
  "st",
  "jr",
  "sr",
  "vs",
  "etc",
  "e.g",
  "i.e",
  "approx",
]);

const SENTENCE_END = /[.!?…]/;
const CLAUSE_END = /[,;:—–]/;
const CLOSERS = /["')\]»”’]/;

/** Only punctuation and closing quotes: nothing to say on its own. */
const UNSPEAKABLE = /^[\s.!?…,;:—–"')\]»”’]*$/;

/**
 * Turns a stream of model tokens into speakable chunks: whole sentences, or the first clause of a
 * sentence once it is long enough, so speech synthesis can start before the model finishes.
 * A boundary is taken on the punctuation token itself when nothing after it could change it; after a
 * digit ("3." of "3.5", "1," of "1,000"), a single letter ("e." of "e.g."), an abbreviation or inside
 * an open quote, it waits for the next character.
 */
export class TextChunker {
  private buffer = "";
  private readonly minClauseChars: number;
  private readonly firstClauseMinChars: number;
  private readonly maxChars: number;
  private emitted = false;

  constructor(options: TextChunkerOptions = {}) {
    this.minClauseChars = options.minClauseChars ?? 24;
    this.firstClauseMinChars = Math.min(options.firstClauseMinChars ?? 10, this.minClauseChars);
    this.maxChars = options.maxChars ?? 240;
  }

  /** Adds text; returns the chunks it completed (possibly none). */
  push(text: string): string[] {
    this.buffer += text;
    const chunks: string[] = [];
    let cut = this.nextBoundary();
    while (cut > 0) {
      const chunk = this.buffer.slice(0, cut).trim();
      this.buffer = this.buffer.slice(cut).replace(/^\s+/, "");
      // A boundary taken on the punctuation token can leave a stray closer ("…then." + '"') behind.
      if (!UNSPEAKABLE.test(chunk)) {
        chunks.push(chunk);
        this.emitted = true;
      }
      cut = this.nextBoundary();
    }
    return chunks;
  }

  /** Text pushed that no chunk has taken yet: the start of the next chunk. */
  get pending(): string {
    return this.buffer;
  }

  /** The rest once the stream ended (null when nothing is left). */
  flush(): string | null {
    const rest = this.buffer.trim();
    this.buffer = "";
    return UNSPEAKABLE.test(rest) ? null : rest;
  }

  /** Index just past the first usable boundary, or 0. */
  private nextBoundary(): number {
    const b = this.buffer;
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c === "\n") {
        if (b.slice(0, i).trim().length > 0) return i + 1;
        continue;
      }
      const sentence = SENTENCE_END.test(c);
      const clause = !sentence && CLAUSE_END.test(c);
      if (!sentence && !clause) continue;
      let j = i + 1;
      while (j < b.length && CLOSERS.test(b[j]!)) j++;
      if (clause && j < (this.emitted ? this.minClauseChars : this.firstClauseMinChars)) continue;
      if (j >= b.length) return this.settledAtEnd(i) ? j : 0;
      if (!/\s/.test(b[j]!)) continue;
      if (sentence && c === "." && this.isAbbreviation(i)) continue;
      return j;
    }
    if (b.length >= this.maxChars) {
      const space = b.lastIndexOf(" ", this.maxChars);
      return space > 0 ? space + 1 : this.maxChars;
    }
    return 0;
  }

  /** The buffer ends in the punctuation at `at` (and maybe closers): can nothing that follows change it? */
  private settledAtEnd(at: number): boolean {
    const b = this.buffer;
    const before = b[at - 1] ?? "";
    if (
      /\d/.test(before) ||
      (b[at] === "." && (this.isAbbreviation(at) || /(^|[^\p{L}])\p{L}$/u.test(b.slice(0, at))))
    )
      return false;
    // Still inside a quotation or a parenthesis: its closer may follow.
    const straight = (b.match(/"/g) ?? []).length;
    const opened = (b.match(/[“(]/g) ?? []).length;
    const closed = (b.match(/[”)]/g) ?? []).length;
    return straight % 2 === 0 && opened === closed;
  }

  private isAbbreviation(dot: number): boolean {
    const before = this.buffer.slice(0, dot);
    const word = /([A-Za-z.]+)$/.exec(before)?.[1]?.toLowerCase() ?? "";
    if (ABBREVIATIONS.has(word)) return true;
    // Single initials such as "J. Smith".
    return /^[a-z]$/.test(word) && /[A-Z]$/.test(before);
  }
}

/** Re-chunks a whole text the same way a stream would be. */
export function chunkText(text: string, options?: TextChunkerOptions): string[] {
  const chunker = new TextChunker(options);
  const chunks = chunker.push(text);
  const rest = chunker.flush();
  if (rest !== null) chunks.push(rest);
  return chunks;
}
