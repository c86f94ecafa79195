/**
 * G.711 mu-law, as the reference encoder defines it. Tables make the per-frame path a lookup with no
 * allocation when the caller passes its own output buffer.
 */
const BIAS = 0x84;
const CLIP = 32635;

function encodeSample(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function decodeByte(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

const DECODE = new Int16Array(256);
for (let i = 0; i < 256; i++) DECODE[i] = decodeByte(i);

// Indexed by the sample's 16 bits: 64 KiB buys exact results with one lookup.
const ENCODE = new Uint8Array(1 << 16);
for (let i = 0; i < ENCODE.length; i++) ENCODE[i] = encodeSample((i << 16) >> 16);

export function mulawEncodeSample(sample: number): number {
  return ENCODE[sample & 0xffff]!;
}

export function mulawDecodeSample(byte: number): number {
  return DECODE[byte & 0xff]!;
}

/** PCM16 → mu-law. Pass `out` to reuse a buffer on hot paths. */
export function mulawEncode(pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array {
  for (let i = 0; i < pcm.length; i++) out[i] = ENCODE[pcm[i]! & 0xffff]!;
  return out;
}

/** Mu-law → PCM16. Pass `out` to reuse a buffer on hot paths. */
export function mulawDecode(bytes: Uint8Array, out: Int16Array = new Int16Array(bytes.length)): Int16Array {
  for (let i = 0; i < bytes.length; i++) out[i] = DECODE[bytes[i]!]!;
  return out;
}
