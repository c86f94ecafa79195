import { checkCallRequest, ERROR_CODES, ERROR_STATUS } from "@clawcall/contract";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../helpers/service.ts";

/** Phone-like strings: near misses of valid numbers as well as noise. */
const phoneish = fc.oneof(
  fc.string(),
  fc.stringMatching(/^\+1[0-9]{9,11}$/),
  fc.stringMatching(/^\+1[01][0-9]{9}$/),
  fc.stringMatching(/^1?[2-9][0-9]{9}$/),
  fc.constantFrom(
    "+19115550100",
    "+19005550100",
    "+12129761234",
    "+12025550200",
    "+1 212 555 0100",
    "+12125550100",
  ),
  fc.integer(),
  fc.constant(null),
);
const anyValue = fc.jsonValue();
const fieldValue = fc.oneof(fc.string({ maxLength: 50 }), anyValue);

const bodies = fc.oneof(
  // Structured bodies with fields that may be missing, mistyped or out of range.
  fc
    .record(
      {
        to: phoneish,
        task: fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constant(" "),
          fc.constant("x".repeat(8001)),
          anyValue,
        ),
        voice: fc.oneof(fc.constantFrom("jessica", "Eric", "bob", ""), anyValue),
        bridge_number: phoneish,
        personality: fieldValue,
        greeting: fieldValue,
      },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b)),
  // Any JSON at all, and text that is not JSON.
  anyValue.map((v) => JSON.stringify(v)),
  fc.string(),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a).toString("latin1")),
);

describe("POST /call under generated bad input", () => {
  let service: TestService;
  let key: string;
  beforeAll(async () => {
    service = await startTestService();
    // A key to send with every request, so nothing is minted and its balance shows any charge.
    const minted = await service.request("POST", "/call", { body: { to: "+12125550104", task: "seed" } });
    key = minted.body.api_key;
  });
  afterAll(() => service.dispose());

  it("answers every invalid body with a 4xx and a known code, creating and charging nothing", async () => {
    const known = new Set<string>(ERROR_CODES);
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.constantFrom("application/json", "text/plain", undefined),
        async (raw, type) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw);
          } catch {
            parsed = undefined;
          }
          // Skip the rare generated body that happens to be valid: it would rightly place a call.
          fc.pre(!checkCallRequest(parsed, (n) => (n.startsWith("+1202555") ? "pool" : null)).ok);
          tried++;
          const res = await service.request("POST", "/call", {
            key,
            raw,
            headers: type ? { "content-type": type } : {},
          });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(known.has(res.body?.error?.code)).toBe(true);
          expect(res.status).toBe(ERROR_STATUS[res.body.error.code as keyof typeof ERROR_STATUS]);
          // A refused body still answers as a keyed response.
          expect(res.body.api_key).toBe(key);
          expect(res.headers.get("x-clawcall-balance-seconds")).toBe("1200");
        },
      ),
      // Each run is a whole HTTP request through the service: a thousand keep the test a few seconds of
      // CPU, which it still gets on a machine shared with the real-time suites. fast-check draws the
      // edge cases of each generator (empty, huge, wrong type) early, so they are all among the first runs.
      { numRuns: 1000 },
    );
    expect(tried).toBeGreaterThan(800);
    const calls = await service.request("GET", "/calls?limit=100", { key });
    expect(calls.body.calls).toHaveLength(1);
    expect((await service.request("GET", "/balance", { key })).body.balance_seconds).toBe(1200);
  });
});
