/**
 * The last stretch of audio not sent, kept in a ring: what goes ahead of the audio that ends a quiet
 * spell, so a soft start (a breath, an "s") that comes before a detector hears a voice is still heard.
 */
export class PreRoll {
  private readonly ring: Buffer;
  private at = 0;
  private full = false;

  constructor(bytes: number) {
    this.ring = Buffer.alloc(bytes);
  }

  /** Keeps `audio` (copied), dropping the oldest audio beyond the ring's size. */
  keep(audio: Uint8Array): void {
    const ring = this.ring;
    const part = audio.length > ring.length ? audio.subarray(audio.length - ring.length) : audio;
    const room = ring.length - this.at;
    // A frame fits whole (a ring holds a whole number of them); a piece of another size may wrap.
    if (part.length <= room) ring.set(part, this.at);
    else {
      ring.set(part.subarray(0, room), this.at);
      ring.set(part.subarray(room), 0);
    }
    this.at += part.length;
    if (this.at >= ring.length) {
      this.at -= ring.length;
      this.full = true;
    }
  }

  /** What was kept, oldest first, in a buffer of its own (a socket may keep it); the ring is then empty. */
  take(): Buffer | undefined {
    const { ring, at, full } = this;
    this.at = 0;
    this.full = false;
    if (!full) return at > 0 ? Buffer.from(ring.subarray(0, at)) : undefined;
    const ordered = Buffer.allocUnsafe(ring.length);
    ring.copy(ordered, 0, at);
    ring.copy(ordered, ring.length - at, 0, at);
    return ordered;
  }
}
