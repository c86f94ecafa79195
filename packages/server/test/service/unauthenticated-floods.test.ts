import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/logger.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

describe("metrics, webhooks and event streams under a flood", () => {
  let service: TestService;
  const logLines: { msg: string; limit?: string; reason?: string }[] = [];
  beforeAll(async () => {
    service = await startTestService(
      {
        STRIPE_SECRET_KEY: "sk_test_floods",
        STRIPE_WEBHOOK_SECRET: "whsec_floods",
        // Never reached: forged events are refused before anything talks to Stripe.
        CLAWCALL_STRIPE_API_BASE: "http://127.0.0.1:9",
        CLAWCALL_WEBHOOKS_PER_MINUTE: "40",
        CLAWCALL_STREAMS_PER_KEY: "2",
        CLAWCALL_SANDBOX_RING_SECONDS: "60",
      },
      { logger: createLogger("warn", { write: (l: string) => void logLines.push(JSON.parse(l)) }) },
    );
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("logs forged webhooks sampled, and limits them per client", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) {
      const res = await service.request("POST", "/stripe/webhook", {
        raw: JSON.stringify({ id: `evt_${i}`, type: "checkout.session.completed" }),
        headers: { "content-type": "application/json", "stripe-signature": `t=1,v1=${"0".repeat(64)}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 40).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(40).every((s) => s === 429)).toBe(true);
    expect(logLines.filter((l) => l.msg === "stripe webhook refused")).toHaveLength(1);
    expect(logLines.filter((l) => l.limit === "webhooks per minute")).toHaveLength(1);
  });

  it("limits /metrics per client but never /healthz", async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 61; i++) statuses.add((await service.request("GET", "/metrics")).status);
    expect([...statuses]).toEqual([200, 429]);
    for (let i = 0; i < 5; i++) expect((await service.request("GET", "/healthz")).status).toBe(200);
  });

  it("caps the event streams one key holds open; another key is unaffected", async () => {
    const placed = await service.request("POST", "/call", {
      body: { to: "+12125550102", task: "Ask the hours." },
    });
    const { call_id: id, api_key: key } = placed.body;
    const open = (k: string, signal?: AbortSignal) =>
      fetch(`${service.url}/call/${id}/events`, { headers: { "x-api-key": k }, signal });
    const first = new AbortController();
    const streams = [await open(key, first.signal), await open(key)];
    expect(streams.map((s) => s.status)).toEqual([200, 200]);
    const third = await open(key);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe("rate_limited");

    // A stream closed by its client frees its place.
    first.abort();
    let again = await open(key);
    while (again.status === 429) {
      await new Promise((r) => setTimeout(r, 50));
      again = await open(key);
    }
    expect(again.status).toBe(200);

    // The call ending closes the rest.
    await service.request("POST", `/call/${id}/hangup`, { key });
    await Promise.all([streams[1]?.text(), again.text()]);
  });
});

describe("metrics on a port of their own", () => {
  it("serves /metrics only there, not on the public port", async () => {
    const service = await startTestService({ CLAWCALL_METRICS_PORT: "0" });
    try {
      expect((await service.request("GET", "/metrics")).status).toBe(404);
      const res = await fetch(service.metricsUrl);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("clawcall_calls_placed_total");
      expect(service.describe().join("\n")).toContain(`metrics: ${service.metricsUrl}`);
    } finally {
      await service.dispose();
    }
  });
});
