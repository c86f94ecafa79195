import { FRAME_BYTES } from "../../media/media-stream.ts";
import { hashFrame, sameBytes } from "./frame-hash.ts";

export interface IndexedLine {
  text: string;
  /** The line's exact mu-law audio, a whole number of frames long. */
  audio: Uint8Array;
}

const NONE: readonly IndexedLine[] = [];

/**
 * What the simulation knows about its own callees' speech: every line audio the sandbox synthesised,
 * with its text. Keyed by the audio itself (its first frame), because the sandbox's lines are
 * deterministic bytes on a byte-exact line and the STT seam carries no call id: a recogniser that only
 * sees frames can still tell, exactly, which line was played.
 */
export class PersonaLineIndex {
  private readonly byFirstFrame = new Map<number, IndexedLine[]>();
  private readonly seen = new WeakSet<Uint8Array>();

  register(text: string, audio: Uint8Array): void {
    if (audio.length < FRAME_BYTES || audio.length % FRAME_BYTES !== 0 || this.seen.has(audio)) return;
    this.seen.add(audio);
    const key = hashFrame(audio.subarray(0, FRAME_BYTES));
    const entries = this.byFirstFrame.get(key);
    const entry = { text, audio };
    if (entries) entries.push(entry);
    else this.byFirstFrame.set(key, [entry]);
  }

  /** Lines whose audio starts with this frame. */
  startingWith(frame: Uint8Array): readonly IndexedLine[] {
    if (frame.length !== FRAME_BYTES) return NONE;
    const candidates = this.byFirstFrame.get(hashFrame(frame));
    if (!candidates) return NONE;
    return candidates.filter((line) => sameBytes(line.audio.subarray(0, FRAME_BYTES), frame));
  }
}
