import { TextChunker, type TextChunkerOptions } from "./text-chunker.ts";

/** One step for a TTS text stream: words to add to the open segment, or the end of a chunk. */
export type FeedStep = { write: string } | { flush: string };

const SPEAKABLE = /[\p{L}\p{N}]/u;

/**
 * Turns a model's tokens into what a TTS text stream takes: whole words as soon as they are complete (so
 * synthesis can start on the first words), and a flush at each chunk boundary of the TextChunker, carrying
 * the chunk's text for the playback tracker. Every piece ends with a space, as ElevenLabs asks.
 *
 * The words written ahead of a boundary are always the start of the chunk that boundary closes: the
 * chunker finds every boundary inside its buffer on the push that completes it (a boundary only waits at
 * the very end of the buffer, after its last space), and a chunk cut for length is cut at a space no
 * earlier than the last one written. So what is synthesised is the chunk's text, word for word.
 */
export class TextFeed {
  private readonly chunker: TextChunker;
  /** Written for the open segment so far. */
  private written = "";

  constructor(options?: TextChunkerOptions) {
    this.chunker = new TextChunker(options);
  }

  push(text: string): FeedStep[] {
    const steps: FeedStep[] = [];
    for (const chunk of this.chunker.push(text)) this.close(chunk, steps);
    const pending = this.chunker.pending.trimStart();
    const words = pending.slice(0, pending.lastIndexOf(" ") + 1);
    // Punctuation alone is held back: a chunk of nothing but punctuation is dropped by the chunker.
    if (words.length > this.written.length && words.startsWith(this.written) && SPEAKABLE.test(words)) {
      steps.push({ write: words.slice(this.written.length) });
      this.written = words;
    }
    return steps;
  }

  /** The last chunk once the text has ended. */
  finish(): FeedStep[] {
    const steps: FeedStep[] = [];
    const rest = this.chunker.flush();
    if (rest !== null) this.close(rest, steps);
    return steps;
  }

  private close(chunk: string, steps: FeedStep[]): void {
    const sent = this.written.trimEnd();
    const rest = chunk.startsWith(sent) ? chunk.slice(sent.length).trimStart() : "";
    if (rest.length > 0) steps.push({ write: `${rest} ` });
    steps.push({ flush: chunk });
    this.written = "";
  }
}
