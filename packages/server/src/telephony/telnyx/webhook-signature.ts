import { createPublicKey, type KeyObject, verify } from "node:crypto";

/**
 * Telnyx signs `${telnyx-timestamp}|${raw body}` with Ed25519 and sends the signature base64-encoded in
 * `telnyx-signature-ed25519`. The account's public key (Mission Control → Keys & Credentials → Public Key)
 * is 32 raw bytes, base64.
 */
export const DEFAULT_TOLERANCE_SECONDS = 300;

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function ed25519PublicKeyFromBase64(base64: string): KeyObject {
  const raw = Buffer.from(base64, "base64");
  if (raw.length !== 32) throw new Error("Telnyx public key must be 32 bytes, base64-encoded");
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

export type SignatureFailure = "missing_signature" | "stale_timestamp" | "bad_signature";

export type SignatureResult = { ok: true } | { ok: false; reason: SignatureFailure };

export interface SignatureInput {
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  publicKey: KeyObject;
  nowSeconds: number;
  toleranceSeconds?: number;
}

export function verifyTelnyxSignature(input: SignatureInput): SignatureResult {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) return { ok: false, reason: "missing_signature" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "stale_timestamp" };
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(input.nowSeconds - Number(timestamp)) > tolerance)
    return { ok: false, reason: "stale_timestamp" };
  const sig = Buffer.from(signature, "base64");
  if (sig.length !== 64) return { ok: false, reason: "bad_signature" };
  const signed = Buffer.concat([Buffer.from(`${timestamp}|`, "utf8"), input.rawBody]);
  return verify(null, signed, input.publicKey, sig) ? { ok: true } : { ok: false, reason: "bad_signature" };
}
