import { afterAll, beforeAll, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL, REDIS_URL } from "../helpers/external-services.ts";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { describeWith, POSTGRES_AND_REDIS } from "../helpers/prerequisites.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

describeWith(POSTGRES_AND_REDIS, "two nodes on PostgreSQL and Redis", () => {
  let db: { url: string; drop(): Promise<void> };
  let nodeA: TestService;
  let nodeB: TestService;
  const prefix = `t${Date.now()}`;

  beforeAll(async () => {
    db = await freshDatabase(POSTGRES_URL!);
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: REDIS_URL!,
      CLAWCALL_SECRET: `secret-${prefix}`,
      CLAWCALL_TRANSCRIPT_TTL_SECONDS: "2",
    };
    nodeA = await startTestService(
      { ...env, CLAWCALL_NODE_ID: "a", CLAWCALL_SANDBOX_RING_SECONDS: "0.4" },
      {
        engine: new ListeningEngine({
          talkSeconds: 0.8,
          lines: [{ role: "assistant", text: "Hello from node A." }],
        }),
      },
    );
    nodeB = await startTestService({ ...env, CLAWCALL_NODE_ID: "b" });
  });
  afterAll(async () => {
    await nodeA?.dispose();
    await nodeB?.dispose();
    await db?.drop();
  });

  it("a call placed on one node is read, streamed and listed on another, with its transcript from Redis", async () => {
    const created = await nodeA.request("POST", "/call", {
      body: { to: "+12125550100", task: "Greet them." },
    });
    expect(created.status).toBe(201);
    const key = created.body.api_key;
    const stream = fetch(`${nodeB.url}/call/${created.body.call_id}/events`, {
      headers: { "x-api-key": key },
    }).then((r) => r.text());
    const { call } = await pollUntilFinal(nodeB, key, created.body.call_id);
    expect(call.status).toBe("completed");
    expect(call.transcript.map((t: { text: string }) => t.text)).toEqual(["Hello from node A."]);
    const events = await stream;
    expect(events).toContain('"status":"completed"');
    expect(events).toContain("Hello from node A.");
    const list = await nodeB.request("GET", "/calls", { key });
    expect(list.body.calls[0].id).toBe(created.body.call_id);
    // Charged once, seen the same from both nodes.
    const a = (await nodeA.request("GET", "/balance", { key })).body.balance_seconds;
    const b = (await nodeB.request("GET", "/balance", { key })).body.balance_seconds;
    expect(a).toBe(b);
    expect(a).toBe(1200 - call.talk_seconds);

    await new Promise((r) => setTimeout(r, 2_300));
    expect((await nodeB.request("GET", `/call/${created.body.call_id}`, { key })).body.transcript).toBeNull();
  });

  it("a hang-up sent to another node ends the call on the node that owns it", async () => {
    const created = await nodeA.request("POST", "/call", { body: { to: "+12125550102", task: "x" } });
    const key = created.body.api_key;
    const res = await nodeB.request("POST", `/call/${created.body.call_id}/hangup`, { key });
    expect(res.status).toBe(200);
    const { call } = await pollUntilFinal(nodeB, key, created.body.call_id);
    expect(call).toMatchObject({ status: "failed", failReason: "cancelled" });
    expect(nodeA.calls.isActive(created.body.call_id)).toBe(false);
  });

  it("network outcomes and the error table hold on PostgreSQL", async () => {
    const busy = await nodeA.request("POST", "/call", { body: { to: "+12125550101", task: "x" } });
    const { call } = await pollUntilFinal(nodeA, busy.body.api_key, busy.body.call_id);
    expect(call).toMatchObject({ status: "failed", failReason: "busy", outcome: "busy" });
    const refused = await nodeA.request("POST", "/call", {
      key: busy.body.api_key,
      body: { to: "+12125550106", task: "x" },
    });
    expect(refused.body.error.code).toBe("dial_failed");
    const other = await nodeB.request("POST", "/call", { body: { to: "+12125550104", task: "x" } });
    expect(
      (await nodeB.request("GET", `/call/${busy.body.call_id}`, { key: other.body.api_key })).status,
    ).toBe(404);
  });
});
