import { describe, expect, it } from "vitest";
import { newSigningSecret, SecretBox } from "./secret-box.ts";

describe("sealed webhook secrets", () => {
  it("open under the service secret they were sealed with, and only under it", () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const sealed = new SecretBox("service-secret-1").seal(secret);
    expect(sealed).not.toContain(secret.slice("whsec_".length, 20));
    expect(new SecretBox("service-secret-1").open(sealed)).toBe(secret);
    expect(new SecretBox("service-secret-2").open(sealed)).toBeNull();
    const [iv, tag, data] = sealed.split(".");
    const altered = `${data![0] === "A" ? "B" : "A"}${data!.slice(1)}`;
    expect(new SecretBox("service-secret-1").open([iv, tag, altered].join("."))).toBeNull();
    expect(new SecretBox("service-secret-1").open("garbage")).toBeNull();
  });
});
