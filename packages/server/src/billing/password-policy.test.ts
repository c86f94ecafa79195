import { describe, expect, it } from "vitest";
import { passwordProblem } from "./password-policy.ts";
import { SignInThrottle } from "./signin-throttle.ts";

describe("passwordProblem", () => {
  it("refuses short, blank, common and email-like passwords", () => {
    for (const p of ["12345678", "password", "        ", " ".repeat(12), "short one"])
      expect(passwordProblem(p), JSON.stringify(p)).toMatch(/10 to 200/);
    for (const p of ["1234567890", "password123", "qwertyuiop", "Password123", "aaaaaaaaaaaa"])
      expect(passwordProblem(p), p).toMatch(/common/);
    expect(passwordProblem("jordan.smith", "Jordan.Smith@example.com")).toMatch(/email/);
    expect(passwordProblem("x".repeat(201))).toMatch(/10 to 200/);
  });

  it("accepts a long uncommon password", () => {
    expect(passwordProblem("correct horse battery", "jordan@example.com")).toBeNull();
    expect(passwordProblem("mauve-kettle-42")).toBeNull();
  });
});

describe("SignInThrottle", () => {
  it("lets five failures through, then doubles the wait, whatever the email's case", () => {
    let now = 0;
    const t = new SignInThrottle(() => now);
    for (let i = 0; i < 5; i++) t.failed("Jordan@example.com");
    expect(t.retryAfter("jordan@example.com")).toBe(0);
    t.failed("jordan@example.com");
    expect(t.retryAfter("jordan@example.com")).toBe(1);
    now += 1_000;
    t.failed("jordan@example.com");
    expect(t.retryAfter("JORDAN@example.com")).toBe(2);
    for (let i = 0; i < 30; i++) t.failed("jordan@example.com");
    expect(t.retryAfter("jordan@example.com")).toBe(15 * 60);
    expect(t.retryAfter("someone@example.com")).toBe(0);
    t.succeeded("jordan@example.com");
    expect(t.retryAfter("jordan@example.com")).toBe(0);
  });
});
