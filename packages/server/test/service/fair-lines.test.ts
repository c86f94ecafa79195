import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../helpers/service.ts";

// Rings until hung up: nobody answers, and unanswered calls cost the free key nothing.
const UNANSWERED = { to: "+12125550102", task: "Ask whether they are open on Saturday." };

describe("fair use of the caller lines", () => {
  let service: TestService;
  const placed: { call_id: string; api_key: string }[] = [];
  beforeAll(async () => {
    service = await startTestService({
      CLAWCALL_SANDBOX_POOL_SIZE: "6",
      CLAWCALL_SANDBOX_RING_SECONDS: "60",
      CLAWCALL_FREE_RINGING_PER_CLIENT: "2",
      CLAWCALL_TRUSTED_PROXIES: "loopback",
    });
  });
  afterAll(async () => {
    for (const p of placed) await service.request("POST", `/call/${p.call_id}/hangup`, { key: p.api_key });
    await service?.dispose();
  });

  /** A new free key each time, as a hog minting keys would do. */
  const placeFrom = async (client: string) => {
    const res = await service.request("POST", "/call", {
      body: UNANSWERED,
      headers: { "x-forwarded-for": client },
    });
    if (res.status === 201) placed.push(res.body);
    return res;
  };

  it("one client minting key after key holds only its share of lines; the others still get theirs", async () => {
    const hog = [];
    for (let i = 0; i < 6; i++) hog.push(await placeFrom("198.51.100.66"));
    expect(hog.map((r) => r.status)).toEqual([201, 201, 429, 429, 429, 429]);
    expect(hog[2]?.body.error.code).toBe("too_many_active_calls");
    expect(hog[2]?.headers.get("retry-after")).toBe("15");

    const others = [];
    for (const client of ["198.51.100.7", "198.51.100.7", "203.0.113.8", "203.0.113.8"])
      others.push((await placeFrom(client)).status);
    expect(others).toEqual([201, 201, 201, 201]);
  });

  it("a line freed by the hog's own hang-up is its to use again", async () => {
    const own = placed.find(() => true);
    if (!own) throw new Error("no call placed");
    await service.request("POST", `/call/${own.call_id}/hangup`, { key: own.api_key });
    placed.splice(placed.indexOf(own), 1);
    expect((await placeFrom("198.51.100.66")).status).toBe(201);
  });
});

describe("ring time of free calls", () => {
  it("counts against the free key when nobody answers", async () => {
    const service = await startTestService({ CLAWCALL_SANDBOX_RING_SECONDS: "60" });
    try {
      const rung = await service.request("POST", "/call", { body: UNANSWERED });
      const key = rung.body.api_key;
      await new Promise((r) => setTimeout(r, 2_100));
      await service.request("POST", `/call/${rung.body.call_id}/hangup`, { key });
      const after = (await service.request("GET", "/balance", { key })).body.balance_seconds;
      expect(after).toBeLessThanOrEqual(1198);
      expect(after).toBeGreaterThan(1100);
    } finally {
      await service.dispose();
    }
  });
});
