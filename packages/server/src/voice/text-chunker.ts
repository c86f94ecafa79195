export interface TextChunkerOptions {
  /** A clause (comma, semicolon, colon, dash) ends a chunk only once the chunk is at least this long. */
  minClauseChars?: number;
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

/**
 * Turns a stream of model tokens into speakable chunks: whole sentences, or the first clause of a
 * sentence once it is long enough, so speech synthesis can start before the model finishes.
 * A boundary is only taken when the character after it is seen (whitespace), which keeps "3.5" and
 * "1,000" whole.
 */
export class TextChunker {
  private buffer = "";
  private readonly minClauseChars: number;
  private readonly maxChars: number;

  constructor(options: TextChunkerOptions = {}) {
    this.minClauseChars = options.minClauseChars ?? 24;
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
      if (chunk.length > 0) chunks.push(chunk);
      cut = this.nextBoundary();
    }
    return chunks;
  }

  /** The rest once the stream ended (null when nothing is left). */
  flush(): string | null {
    const rest = this.buffer.trim();
    this.buffer = "";
    return rest.length > 0 ? rest : null;
  }

  /** Index just past the first usable boundary, or 0. */
  private nextBoundary(): number {
    const b = this.buffer;
    for (let i = 0; i < b.length - 1; i++) {
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
      if (j >= b.length) return 0; // need the next character to decide
      if (!/\s/.test(b[j]!)) continue;
      if (sentence && c === "." && this.isAbbreviation(i)) continue;
      if (clause && j < this.minClauseChars) continue;
      return j;
    }
    if (b.length >= this.maxChars) {
      const space = b.lastIndexOf(" ", this.maxChars);
      return space > 0 ? space + 1 : this.maxChars;
    }
    return 0;
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
