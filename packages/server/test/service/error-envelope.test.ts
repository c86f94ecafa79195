import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../helpers/service.ts";

describe("every error in the envelope, every keyed answer with its key", () => {
  let service: TestService;
  let key: string;
  beforeAll(async () => {
    service = await startTestService({
      STRIPE_SECRET_KEY: "sk_test_envelope",
      STRIPE_WEBHOOK_SECRET: "whsec_envelope",
      // Never reached: the requests below are refused before anything talks to Stripe.
      CLAWCALL_STRIPE_API_BASE: "http://127.0.0.1:9",
    });
    key = (await service.request("POST", "/call", { body: { to: "+12125550101", task: "Ask the hours." } }))
      .body.api_key;
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("answers addresses the router cannot read in the envelope with a stable code", async () => {
    for (const [url, status, code] of [
      ["/call/%ZZ", 400, "invalid_request"],
      ["/call/%ZZ/hangup", 400, "invalid_request"],
      [`/call/${"a".repeat(200)}`, 404, "not_found"],
    ] as const) {
      const res = await service.request("GET", url, { key });
      expect(res.status, url).toBe(status);
      expect(res.body.error.code, url).toBe(code);
      expect(res.text, url).not.toContain("FST_");
    }
  });

  it("a webhook's 413 names the webhook's own limit", async () => {
    const res = await service.request("POST", "/stripe/webhook", {
      raw: "x".repeat(300 * 1024),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
    expect(res.body.error.message).toContain("256 KiB");
    const api = await service.request("POST", "/call", {
      raw: "x".repeat(70 * 1024),
      headers: { "content-type": "application/json" },
    });
    expect(api.body.error.message).toContain("64 KiB");
  });

  it("a POST /call refused for its body still carries the key and the balance", async () => {
    for (const body of [
      { to: "+12125550100" },
      { to: "+1911", task: "Hi" },
      { to: "+12125550100", task: "\u0001\u0002" },
    ]) {
      const res = await service.request("POST", "/call", { key, body });
      expect(res.status).toBe(400);
      expect(res.body.api_key).toBe(key);
      expect(res.headers.get("x-clawcall-balance-seconds")).toBe("1200");
      expect(res.headers.get("x-clawcall-balance-minutes")).toBe("20.0");
    }
  });

  it("a keyed request refused before its route ran still carries the key and the balance", async () => {
    const tooLarge = await service.request("POST", "/call", {
      key,
      raw: "x".repeat(70 * 1024),
      headers: { "content-type": "application/json" },
    });
    const nowhere = await service.request("GET", "/nowhere", { key });
    const badIdempotency = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550101", task: "Ask the hours." },
      headers: { "idempotency-key": "x".repeat(300) },
    });
    for (const [res, status] of [
      [tooLarge, 413],
      [nowhere, 404],
      [badIdempotency, 400],
    ] as const) {
      expect(res.status).toBe(status);
      expect(res.body.api_key).toBe(key);
      expect(res.headers.get("x-clawcall-balance-seconds")).toBe("1200");
    }
  });

  it("a task needs words, and text fields valid Unicode", async () => {
    for (const task of ["\u0001\u0002\u0003", "!!! ???", "1234", "\ud800"]) {
      const res = await service.request("POST", "/call", {
        key,
        raw: JSON.stringify({ to: "+12125550100", task }),
        headers: { "content-type": "application/json" },
      });
      expect(res.status, JSON.stringify(task)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.message).toContain("task");
    }
    const lone = await service.request("POST", "/call", {
      key,
      raw: '{"to":"+12125550100","task":"Ask the hours.","greeting":"Hi \\udc00"}',
      headers: { "content-type": "application/json" },
    });
    expect(lone.body.error.code).toBe("invalid_request");
    expect(lone.body.error.message).toContain("greeting");
    const ok = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550101", task: "¿Abren el sábado?" },
    });
    expect(ok.status).toBe(201);
  });

  it("pages forbid framing, leak no address and load nothing from elsewhere", async () => {
    for (const url of ["/", `/signup?token=${key}`, `/signin?token=${key}`, `/purchase?token=${key}`]) {
      const res = await service.request("GET", url);
      expect(res.headers.get("content-type"), url).toMatch(/^text\/html/);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("default-src 'none'");
      expect(res.headers.get("referrer-policy"), url).toBe("no-referrer");
      expect(res.headers.get("x-content-type-options"), url).toBe("nosniff");
    }
  });
});
