import type { SpokenTextJournal } from "../voice/spoken-text.ts";

/**
 * Follows the agent's audio as a simulated far end plays it out, and tells the callee the words it
 * actually heard: a chunk's text once the mark after its audio is played, and on a cut (barge-in) only
 * the words whose share of the chunk's audio was out, never what was dropped. This is how the sandbox's
 * callees "understand" the agent: from the simulation's record of what was played, not by recognising
 * open speech (no offline recogniser can).
 */
export class PlayedTextFollower {
  /** Agent audio played since the last mark: the current chunk's part that was heard. */
  private playedBytes = 0;

  constructor(
    private readonly journal: SpokenTextJournal | undefined,
    private readonly onWords: (text: string) => void,
  ) {}

  /** Agent audio (not line silence) was played out to the callee. */
  played(bytes: number): void {
    this.playedBytes += bytes;
  }

  /** A mark of the agent's passed: the chunk before it was heard whole. */
  mark(name: string): void {
    this.playedBytes = 0;
    const text = this.journal?.take(name);
    if (text) this.onWords(text);
  }

  /**
   * The agent's queued audio was dropped. `remainingBytes` is what was left of the current chunk up to
   * its mark, `marks` the marks still queued in order (the first ends the current chunk, if queued).
   */
  cleared(remainingBytes: number, marks: readonly string[]): void {
    const played = this.playedBytes;
    this.playedBytes = 0;
    const [current, ...later] = marks;
    for (const mark of later) this.journal?.take(mark);
    if (current === undefined) return;
    const text = this.journal?.take(current);
    if (!text || played === 0) return;
    const words = text.split(/\s+/).filter((w) => w.length > 0);
    const heard = Math.floor((words.length * played) / (played + remainingBytes));
    if (heard > 0) this.onWords(words.slice(0, heard).join(" "));
  }
}
