import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../helpers/service.ts";

const CALL = { to: "+12125550102", task: "Ask whether they are open on Saturday." };

describe("POST /call with an Idempotency-Key", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      CLAWCALL_SANDBOX_RING_SECONDS: "30",
      CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "20",
    });
  });
  afterAll(async () => {
    await service?.dispose();
  });

  const place = (idempotencyKey: string, body: object, key?: string) =>
    service.request("POST", "/call", { key, body, headers: { "idempotency-key": idempotencyKey } });

  it("returns the first call for the same key and body, and never places a second", async () => {
    const first = await place("order-1", CALL);
    expect(first.status).toBe(201);
    const key = first.body.api_key;
    // The retry of a client that got its new key only from the first answer still finds its call.
    const again = await place("order-1", CALL, key);
    expect(again.body.call_id).toBe(first.body.call_id);

    const retried = await place("order-2", CALL, key);
    const replay = await place("order-2", CALL, key);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(retried.body);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const calls = await service.request("GET", "/calls?limit=100", { key });
    expect(calls.body.calls.map((c: { call_id: string }) => c.call_id).sort()).toEqual(
      [first.body.call_id, retried.body.call_id].sort(),
    );
  });

  it("an anonymous client's retry gets the same call and the same minted key", async () => {
    const first = await place("anon-1", CALL);
    const replay = await place("anon-1", CALL);
    expect(replay.status).toBe(201);
    expect(replay.body.call_id).toBe(first.body.call_id);
    expect(replay.body.api_key).toBe(first.body.api_key);
    expect(replay.headers.get("x-clawcall-api-key")).toBe(first.body.api_key);
  });

  it("never shows one client's call to another that picked the same Idempotency-Key", async () => {
    await place("shared-by-chance", CALL);
    const other = (await place("seed-3", CALL)).body.api_key;
    const res = await place("shared-by-chance", CALL, other);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("idempotency_conflict");
    expect(res.text).not.toContain("call_id");
  });

  it("answers 409 idempotency_conflict for the same key with another body", async () => {
    const first = await place("order-3", CALL);
    const other = await place("order-3", { ...CALL, task: "Ask about Sunday instead." }, first.body.api_key);
    const otherAnon = await place("order-3", { ...CALL, task: "Ask about Sunday instead." });
    for (const res of [other, otherAnon]) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("idempotency_conflict");
    }
  });

  it("places one call for many simultaneous retries", async () => {
    const key = (await place("seed", CALL)).body.api_key;
    const answers = await Promise.all(Array.from({ length: 6 }, () => place("burst", CALL, key)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.call_id)).size).toBe(1);
  });

  it("a placement that placed nothing is tried again, not replayed", async () => {
    const key = (await place("seed-2", CALL)).body.api_key;
    const refused = { to: "+12125550106", task: "Ask the hours." }; // the carrier refuses the dial
    const first = await place("order-4", refused, key);
    const second = await place("order-4", refused, key);
    expect([first.status, second.status]).toEqual([502, 502]);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
  });

  it("refuses a malformed Idempotency-Key", async () => {
    const res = await place("x".repeat(256), CALL);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
  });
});

describe("Idempotency-Key across a restart", () => {
  it("a retry after the service restarted returns the call placed before, without dialling again", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-idem-"));
    const env = { CLAWCALL_SANDBOX_RING_SECONDS: "30" };
    const before = await startTestService(env, { dataDir });
    const headers = { "idempotency-key": "restart-1" };
    const first = await before.request("POST", "/call", { body: CALL, headers });
    expect(first.status).toBe(201);
    await before.close();
    const after = await startTestService(env, { dataDir });
    try {
      const replay = await after.request("POST", "/call", { body: CALL, headers, key: first.body.api_key });
      expect(replay.status).toBe(201);
      expect(replay.body.call_id).toBe(first.body.call_id);
      const calls = await after.request("GET", "/calls", { key: first.body.api_key });
      expect(calls.body.calls).toHaveLength(1);
    } finally {
      await after.dispose();
    }
  });
});
