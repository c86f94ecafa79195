import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Per-call media stream token: an HMAC of the call id under the node's stream secret, so a leaked token
 * opens one call's stream at most and nothing needs to be stored to check it.
 */
export function streamToken(secret: string, callId: string): string {
  return createHmac("sha256", secret).update(`telnyx-media:${callId}`).digest("base64url");
}

export function checkStreamToken(secret: string, callId: string, offered: string | undefined): boolean {
  if (!offered) return false;
  const expected = Buffer.from(streamToken(secret, callId));
  const given = Buffer.from(offered);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
