/**
 * The text behind the agent's audio, by playback mark. The voice session notes each chunk of speech under
 * the mark that follows its audio. Whoever plays the far end of a simulated call takes the text when
 * that mark is played out (or the audio before it is cut), so a simulated callee can react to what was
 * actually played. A real carrier has no use for it: the composition root hands one only to the sandbox.
 */
export class SpokenTextJournal {
  private readonly entries = new Map<string, string>();

  /** Bounded: marks never played (a call cut off) must not pile up transcript text in memory. */
  constructor(private readonly capacity = 5000) {}

  note(mark: string, text: string): void {
    if (mark === "") return;
    this.entries.delete(mark);
    this.entries.set(mark, text);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** The text noted under `mark`, once: a mark's audio plays (or is cut) once. */
  take(mark: string): string | undefined {
    const text = this.entries.get(mark);
    this.entries.delete(mark);
    return text;
  }

  get size(): number {
    return this.entries.size;
  }
}
