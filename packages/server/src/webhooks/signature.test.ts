import { describe, expect, it } from "vitest";
import { signatureHeader, verifySignature } from "./signature.ts";

describe("webhook signatures", () => {
  const secret = "whsec_test";
  const body = '{"id":"evt_1","type":"call.completed"}';

  it("verifies what it signed, within the tolerance only", () => {
    const header = signatureHeader(secret, 1_700_000_000, body);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, header, body, 1_700_000_100)).toBe(true);
    expect(verifySignature(secret, header, body, 1_700_000_301)).toBe(false);
  });

  it("refuses another secret, another body, another time and a malformed header", () => {
    const header = signatureHeader(secret, 1_700_000_000, body);
    expect(verifySignature("whsec_other", header, body, 1_700_000_000)).toBe(false);
    expect(verifySignature(secret, header, `${body} `, 1_700_000_000)).toBe(false);
    const moved = header.replace("t=1700000000", "t=1700000001");
    expect(verifySignature(secret, moved, body, 1_700_000_000)).toBe(false);
    expect(verifySignature(secret, "v1=abc", body, 1_700_000_000)).toBe(false);
    expect(verifySignature(secret, "", body, 1_700_000_000)).toBe(false);
  });
});
