import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Prefixes tell an OAuth token from an API key at a glance (and in a leaked log line). */
export const ACCESS_TOKEN_PREFIX = "clawcall_at_";
export const REFRESH_TOKEN_PREFIX = "clawcall_rt_";
export const CODE_PREFIX = "clawcall_ac_";
export const CLIENT_ID_PREFIX = "clawcall_client_";

/** 256 random bits: a plain SHA-256 at rest is enough, as for API keys. */
export const newSecret = (prefix: string) => prefix + randomBytes(32).toString("base64url");

export const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** RFC 7636: 43 to 128 characters of the unreserved set. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Whether a PKCE verifier matches an S256 challenge (the only method this server accepts). */
export function pkceMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier)) return false;
  const computed = Buffer.from(createHash("sha256").update(verifier).digest("base64url"));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/** An S256 challenge is the base64url SHA-256 of a verifier: 43 characters, no padding. */
export const isS256Challenge = (challenge: string) => /^[A-Za-z0-9_-]{43}$/.test(challenge);

const boxKey = (token: string) => createHash("sha256").update(`clawcall-oauth-key-box\n${token}`).digest();

/** Encrypts the grant's API key under a token, so only the token's holder can use the key. */
export function sealUnder(token: string, apiKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", boxKey(token), iv);
  const sealed = Buffer.concat([cipher.update(apiKey, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
}

/** The API key sealed under the token, or null when the box does not open with it. */
export function openWith(token: string, box: string): string | null {
  try {
    const raw = Buffer.from(box, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", boxKey(token), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
