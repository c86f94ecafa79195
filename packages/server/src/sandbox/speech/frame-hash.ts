/**
 * Looking frames up by their bytes: the sandbox's audio is deterministic and frame-aligned on a
 * byte-exact line, so a frame tells which known sound it belongs to. A number hash first (no string
 * made per frame on the hot path), then a byte-exact comparison.
 */

/** FNV-1a over a frame's bytes. */
export function hashFrame(frame: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < frame.length; i++) h = Math.imul(h ^ frame[i]!, 0x01000193);
  return h >>> 0;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
