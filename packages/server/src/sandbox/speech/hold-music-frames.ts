import { FRAME_BYTES } from "../../media/media-stream.ts";
import { hashFrame, sameBytes } from "./frame-hash.ts";
import { holdMusic } from "./tones.ts";

let index: Map<number, Uint8Array[]> | null = null;

function musicIndex(): Map<number, Uint8Array[]> {
  if (index) return index;
  index = new Map();
  const music = holdMusic();
  for (let offset = 0; offset + FRAME_BYTES <= music.length; offset += FRAME_BYTES) {
    const frame = music.subarray(offset, offset + FRAME_BYTES);
    const h = hashFrame(frame);
    const same = index.get(h);
    if (same) same.push(frame);
    else index.set(h, [frame]);
  }
  return index;
}

/**
 * True for a frame of the sandbox's own hold music, byte for byte. The sandbox's audio is deterministic
 * and frame-aligned on a byte-exact line (as the persona-line reader relies on), so its recogniser can
 * leave out music it would never find words in: decoding the music was most of its work on a hold queue.
 */
export function isHoldMusicFrame(frame: Uint8Array): boolean {
  if (frame.length !== FRAME_BYTES) return false;
  const candidates = musicIndex().get(hashFrame(frame));
  if (!candidates) return false;
  return candidates.some((c) => sameBytes(c, frame));
}
