import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ed25519PublicKeyFromBase64, verifyTelnyxSignature } from "./webhook-signature.ts";

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const publicB64 = publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64");
const key = ed25519PublicKeyFromBase64(publicB64);
const body = Buffer.from('{"data":{"id":"1"}}');
const now = 1_800_000_000;
const sigFor = (ts: string, raw: Buffer) =>
  sign(null, Buffer.concat([Buffer.from(`${ts}|`), raw]), privateKey).toString("base64");

const check = (signature: string | undefined, timestamp: string | undefined, raw = body) =>
  verifyTelnyxSignature({ rawBody: raw, signature, timestamp, publicKey: key, nowSeconds: now });

describe("Telnyx webhook signature", () => {
  it("accepts a fresh signature over timestamp|body", () => {
    expect(check(sigFor(String(now), body), String(now))).toEqual({ ok: true });
  });

  it("refuses a missing signature or timestamp", () => {
    expect(check(undefined, String(now))).toEqual({ ok: false, reason: "missing_signature" });
    expect(check(sigFor(String(now), body), undefined)).toEqual({ ok: false, reason: "missing_signature" });
  });

  it("refuses a body changed by one byte, and a signature moved to another timestamp", () => {
    expect(check(sigFor(String(now), body), String(now), Buffer.from('{"data":{"id":"2"}}')).ok).toBe(false);
    expect(check(sigFor(String(now), body), String(now - 1))).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses a timestamp outside the tolerance, even correctly signed", () => {
    const old = String(now - 301);
    expect(check(sigFor(old, body), old)).toEqual({ ok: false, reason: "stale_timestamp" });
    const future = String(now + 301);
    expect(check(sigFor(future, body), future)).toEqual({ ok: false, reason: "stale_timestamp" });
  });

  it("refuses a signature made with another key", () => {
    const other = generateKeyPairSync("ed25519").privateKey;
    const forged = sign(null, Buffer.from(`${now}|${body}`), other).toString("base64");
    expect(check(forged, String(now))).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a public key that is not 32 bytes", () => {
    expect(() => ed25519PublicKeyFromBase64(Buffer.alloc(31).toString("base64"))).toThrow(/32 bytes/);
  });
});
