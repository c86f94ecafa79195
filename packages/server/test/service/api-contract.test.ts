import {
  API_KEY_PATTERN,
  BalanceSchema,
  CallListSchema,
  CallViewSchema,
  ERROR_STATUS,
} from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

const body = (to: string, extra: Record<string, unknown> = {}) => ({
  to,
  task: "Confirm the appointment.",
  ...extra,
});

describe("POST /call and the keyed responses", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "10" });
  });
  afterAll(() => service.dispose());

  it("mints a key on first use, returns it in body and header, with balance headers", async () => {
    const res = await service.request("POST", "/call", { body: body("+12125550101") });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "queued", message: "queued" });
    expect(res.body.id).toBe(res.body.call_id);
    expect(res.body.api_key).toMatch(API_KEY_PATTERN);
    expect(res.headers.get("x-clawcall-api-key")).toBe(res.body.api_key);
    expect(res.headers.get("x-clawcall-balance-seconds")).toBe("1200");
    expect(res.headers.get("x-clawcall-balance-minutes")).toBe("20.0");

    const again = await service.request("POST", "/call", {
      key: res.body.api_key,
      body: body("+12125550102"),
    });
    expect(again.status).toBe(201);
    expect(again.body.api_key).toBe(res.body.api_key);
    expect(again.headers.get("x-clawcall-api-key")).toBeNull();
  });

  it("accepts JSON sent with curl's default form content type", async () => {
    const res = await service.request("POST", "/call", {
      raw: JSON.stringify(body("+12125550101")),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(201);
  });

  const errorCases: [
    string,
    () => Promise<{ status: number; body: { error: { code: string; message: string } } }>,
    string,
  ][] = [
    [
      "not JSON",
      () =>
        service.request("POST", "/call", { raw: "{nope", headers: { "content-type": "application/json" } }),
      "invalid_json",
    ],
    ["a JSON array", () => service.request("POST", "/call", { body: [1, 2] }), "invalid_json"],
    ["no body", () => service.request("POST", "/call"), "invalid_json"],
    ["no task", () => service.request("POST", "/call", { body: { to: "+12125550100" } }), "missing_fields"],
    [
      "blank task and to",
      () => service.request("POST", "/call", { body: { to: " ", task: "  " } }),
      "missing_fields",
    ],
    [
      "a short number",
      () => service.request("POST", "/call", { body: body("+1212555010") }),
      "invalid_phone",
    ],
    ["a UK number", () => service.request("POST", "/call", { body: body("+442071234567") }), "invalid_phone"],
    [
      "area code starting with 1",
      () => service.request("POST", "/call", { body: body("+11125550100") }),
      "invalid_phone",
    ],
    [
      "a bad bridge number",
      () => service.request("POST", "/call", { body: body("+12125550100", { bridge_number: "555" }) }),
      "invalid_phone",
    ],
    [
      "bridge equal to to",
      () =>
        service.request("POST", "/call", { body: body("+12125550100", { bridge_number: "+12125550100" }) }),
      "invalid_phone",
    ],
    [
      "an unknown voice",
      () => service.request("POST", "/call", { body: body("+12125550100", { voice: "Jessica" }) }),
      "invalid_voice",
    ],
    [
      "911",
      () => service.request("POST", "/call", { body: body("+19115550100") }),
      "unsupported_destination",
    ],
    [
      "a 988 exchange",
      () => service.request("POST", "/call", { body: body("+12129881234") }),
      "unsupported_destination",
    ],
    [
      "premium 900",
      () => service.request("POST", "/call", { body: body("+19005550100") }),
      "unsupported_destination",
    ],
    [
      "premium 976 exchange",
      () => service.request("POST", "/call", { body: body("+12129761234") }),
      "unsupported_destination",
    ],
    [
      "the pool's own number",
      () => service.request("POST", "/call", { body: body("+12025550200") }),
      "unsupported_destination",
    ],
    [
      "an over-long task",
      () => service.request("POST", "/call", { body: { to: "+12125550100", task: "x".repeat(8001) } }),
      "invalid_request",
    ],
    [
      "a numeric personality",
      () => service.request("POST", "/call", { body: body("+12125550100", { personality: 5 }) }),
      "invalid_request",
    ],
    [
      "an unknown key",
      () =>
        service.request("POST", "/call", {
          key: `clawcall_sk_${"A".repeat(43)}`,
          body: body("+12125550100"),
        }),
      "invalid_api_key",
    ],
    [
      "a malformed key",
      () => service.request("POST", "/call", { key: "hello", body: body("+12125550100") }),
      "invalid_api_key",
    ],
  ];
  for (const [what, send, code] of errorCases) {
    it(`answers ${code} for ${what}`, async () => {
      const res = await send();
      expect(res.status).toBe(ERROR_STATUS[code as keyof typeof ERROR_STATUS]);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message.length).toBeGreaterThan(5);
    });
  }

  it("checks input before the key: an invalid body with an unknown key is still a 400", async () => {
    const res = await service.request("POST", "/call", {
      key: "clawcall_sk_unknown",
      body: { to: "x", task: "y" },
    });
    expect(res.body.error.code).toBe("invalid_phone");
  });

  it("GET /call/{id} carries both revisions' fields and the balance", async () => {
    const created = await service.request("POST", "/call", {
      body: body("+12125550103", { voice: "eric", personality: "Alex" }),
    });
    const { call } = await pollUntilFinal(service, created.body.api_key, created.body.call_id);
    const view = CallViewSchema.parse(call);
    expect(view).toMatchObject({
      to: "+12125550103",
      numbers: { to: "+12125550103" },
      voice: "eric",
      personality: "Alex",
      greeting: null,
      direction: "outbound",
      recordingUrl: null,
      api_key: created.body.api_key,
      _meta: { balance_seconds: 1200 },
    });
    expect(view.numbers.from).toMatch(/^\+1202555\d{4}$/);
  });

  it("an answered sandbox call without a recording does not say one is pending", async () => {
    // No model is configured here: the call is answered, then ended at once, and nothing is recorded.
    const created = await service.request("POST", "/call", { body: body("+12125550100") });
    const { call } = await pollUntilFinal(service, created.body.api_key, created.body.call_id);
    expect(call.timestamps.answered_at).not.toBeNull();
    expect(call.recordingUrl).toBeNull();
    expect(call._meta.recording_pending).toBe(false);
  });

  it("GET /balance, /me and the 401s", async () => {
    const created = await service.request("POST", "/call", { body: body("+12125550101") });
    const key = created.body.api_key;
    const balance = await service.request("GET", "/balance", { key });
    expect(BalanceSchema.parse(balance.body)).toEqual({
      balance_seconds: 1200,
      balance_minutes: 20,
      tier: "free",
      low_balance: false,
      api_key: key,
      unlimited: false,
      plan: null,
      trial: { allowed: true, remainingSeconds: 1200, remainingCalls: null },
    });
    expect((await service.request("GET", "/me", { key })).body.error.code).toBe("auth_required");
    expect((await service.request("GET", "/balance")).status).toBe(401);
    expect((await service.request("GET", "/balance")).body.error.code).toBe("auth_required");
    expect((await service.request("GET", `/call/${created.body.call_id}`)).body.error.code).toBe(
      "auth_required",
    );
  });

  it("a key never sees, hangs up or lists another key's calls", async () => {
    const a = await service.request("POST", "/call", { body: body("+12125550102") });
    const b = await service.request("POST", "/call", { body: body("+12125550102") });
    const other = b.body.api_key;
    for (const [method, path] of [
      ["GET", `/call/${a.body.call_id}`],
      ["POST", `/call/${a.body.call_id}/hangup`],
      ["GET", `/call/${a.body.call_id}/recording`],
      ["GET", `/call/${a.body.call_id}/events`],
      ["GET", "/call/no-such-call"],
    ] as const) {
      const res = await service.request(method, path, { key: other });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      expect(res.body.api_key).toBe(other);
    }
    const list = await service.request("GET", "/calls", { key: other });
    expect(list.body.calls.map((c: { id: string }) => c.id)).toEqual([b.body.call_id]);
    // The call is untouched by the other key's hang-up.
    const still = await service.request("GET", `/call/${a.body.call_id}`, { key: a.body.api_key });
    expect(still.body.failReason).not.toBe("cancelled");
  });

  it("hang-up cancels a ringing call and is idempotent", async () => {
    const created = await service.request("POST", "/call", { body: body("+12125550102") });
    const key = created.body.api_key;
    const first = await service.request("POST", `/call/${created.body.call_id}/hangup`, { key });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: "failed", lifecycle: "finalized" });
    const second = await service.request("POST", `/call/${created.body.call_id}/hangup`, { key });
    expect(second.status).toBe(200);
    const { call } = await pollUntilFinal(service, key, created.body.call_id);
    expect(call).toMatchObject({ failReason: "cancelled", outcome: "cancelled" });
  });

  it("lists calls newest first, page by page", async () => {
    const first = await service.request("POST", "/call", { body: body("+12125550101") });
    const key = first.body.api_key;
    const ids = [first.body.call_id];
    for (let i = 0; i < 4; i++) {
      ids.push((await service.request("POST", "/call", { key, body: body("+12125550101") })).body.call_id);
    }
    const seen: string[] = [];
    let before: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const url: string = `/calls?limit=2${before ? `&before=${before}` : ""}`;
      const page = CallListSchema.parse((await service.request("GET", url, { key })).body);
      seen.push(...page.calls.map((c) => c.id));
      if (!page.has_more) break;
      before = page.next_before;
    }
    expect(seen).toEqual([...ids].reverse());
    expect((await service.request("GET", "/calls?limit=500", { key })).body.error.code).toBe(
      "invalid_request",
    );
  });

  it("serves /openapi.json generated from the contract schemas, /healthz and /metrics", async () => {
    const doc = (await service.request("GET", "/openapi.json")).body;
    expect(doc.openapi).toBe("3.0.3");
    expect(doc.components.schemas.CallRequest.required).toEqual(["to", "task"]);
    expect(doc.components.schemas.CallRequest.properties.voice.enum).toEqual([
      "jessica",
      "sarah",
      "chris",
      "eric",
    ]);
    expect(Object.keys(doc.paths["/call"].post.responses)).toEqual(
      expect.arrayContaining(["201", "400", "401", "429", "502", "503"]),
    );
    expect((await service.request("GET", "/healthz")).body.ok).toBe(true);
    const metrics = await service.request("GET", "/metrics");
    expect(metrics.text).toMatch(/clawcall_calls_placed_total \d+/);
  });

  it("answers not_found for unknown routes with the error envelope", async () => {
    const res = await service.request("GET", "/nope");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});

describe("admission limits", () => {
  it("too_many_active_calls once the key has its calls in flight", async () => {
    const s = await startTestService({
      CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "1",
      CLAWCALL_SANDBOX_RING_SECONDS: "5",
    });
    try {
      const a = await s.request("POST", "/call", { body: body("+12125550102") });
      const b = await s.request("POST", "/call", { key: a.body.api_key, body: body("+12125550102") });
      expect(b.status).toBe(429);
      expect(b.body.error.code).toBe("too_many_active_calls");
    } finally {
      await s.dispose();
    }
  });

  it("number_pool_exhausted (503) when every caller number is in use", async () => {
    const s = await startTestService({ CLAWCALL_SANDBOX_POOL_SIZE: "1", CLAWCALL_SANDBOX_RING_SECONDS: "5" });
    try {
      const a = await s.request("POST", "/call", { body: body("+12125550102") });
      expect(a.status).toBe(201);
      const b = await s.request("POST", "/call", { body: body("+12125550102") });
      expect(b.status).toBe(503);
      expect(b.body.error.code).toBe("number_pool_exhausted");
      expect(b.headers.get("retry-after")).toBe("15");
      await s.request("POST", `/call/${a.body.call_id}/hangup`, { key: a.body.api_key });
      expect((await s.request("POST", "/call", { body: body("+12125550102") })).status).toBe(201);
    } finally {
      await s.dispose();
    }
  });

  it("CLAWCALL_CHANNEL_LIMIT caps calls at once below the number of caller numbers", async () => {
    const s = await startTestService({
      CLAWCALL_SANDBOX_POOL_SIZE: "5",
      CLAWCALL_CHANNEL_LIMIT: "2",
      CLAWCALL_SANDBOX_RING_SECONDS: "5",
    });
    try {
      const placed = [];
      for (let i = 0; i < 2; i++) {
        const r = await s.request("POST", "/call", { body: body("+12125550102") });
        expect(r.status).toBe(201);
        placed.push(r.body);
      }
      const third = await s.request("POST", "/call", { body: body("+12125550102") });
      expect(third.status).toBe(503);
      expect(third.body.error.code).toBe("number_pool_exhausted");
      // Caller numbers beyond the limit are still the service's own: never dialled.
      for (const own of ["+12025550200", "+12025550204"]) {
        const r = await s.request("POST", "/call", { body: body(own) });
        expect(r.body.error.code, own).toBe("unsupported_destination");
      }
      for (const p of placed) await s.request("POST", `/call/${p.call_id}/hangup`, { key: p.api_key });
    } finally {
      await s.dispose();
    }
  });

  it("rate_limited with Retry-After when one address mints too many keys", async () => {
    const s = await startTestService({ CLAWCALL_MINTS_PER_HOUR: "2" });
    try {
      expect((await s.request("POST", "/call", { body: body("+12125550101") })).status).toBe(201);
      const second = await s.request("POST", "/call", { body: body("+12125550101") });
      expect(second.status).toBe(201);
      const third = await s.request("POST", "/call", { body: body("+12125550101") });
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe("rate_limited");
      expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
      // A key already held still works.
      expect(
        (await s.request("POST", "/call", { key: second.body.api_key, body: body("+12125550101") })).status,
      ).toBe(201);
    } finally {
      await s.dispose();
    }
  });

  it("quota_exceeded for a used-up free key, with its personal sign-up and sign-in links", async () => {
    const engine = new ListeningEngine({ talkSeconds: 1.2 });
    const s = await startTestService({ CLAWCALL_FREE_SECONDS: "1" }, { engine });
    try {
      const a = await s.request("POST", "/call", { body: body("+12125550100") });
      const key = a.body.api_key;
      const { call } = await pollUntilFinal(s, key, a.body.call_id);
      expect(call.status).toBe("completed");
      const res = await s.request("POST", "/call", { key, body: body("+12125550100") });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe("quota_exceeded");
      expect(res.body.error.action.url).toBe(`${s.config.publicUrl}/signup?token=${encodeURIComponent(key)}`);
      expect(res.body.error.action.sign_in_url).toBe(
        `${s.config.publicUrl}/signin?token=${encodeURIComponent(key)}`,
      );
      expect(res.body.error.quota).toMatchObject({ tier: "free", limit_seconds: 1, remaining_seconds: 0 });
      expect(res.body.api_key).toBe(key);
    } finally {
      await s.dispose();
    }
  });
});
