import { afterAll, beforeAll, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL, REDIS_URL } from "../helpers/external-services.ts";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { describeWith, POSTGRES_AND_REDIS } from "../helpers/prerequisites.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";
import { documentedVerifier, WEBHOOK_TEST_ENV, WebhookReceiver } from "../helpers/webhook-receiver.ts";

describeWith(POSTGRES_AND_REDIS, "webhooks from two nodes on PostgreSQL and Redis", () => {
  let db: { url: string; drop(): Promise<void> };
  let nodes: TestService[] = [];
  let receiver: WebhookReceiver;
  let base: string;

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    base = await receiver.start();
    db = await freshDatabase(POSTGRES_URL!);
    const env = {
      ...WEBHOOK_TEST_ENV,
      DATABASE_URL: db.url,
      REDIS_URL: REDIS_URL!,
      CLAWCALL_SECRET: `secret-${Date.now()}`,
      CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "20",
      // Both nodes look for due deliveries often, so they race for the same rows.
      CLAWCALL_WEBHOOKS_POLL_SECONDS: "0.05",
    };
    const engine = () =>
      new ListeningEngine({ talkSeconds: 0.2, lines: [{ role: "assistant", text: "Hi." }] });
    nodes = [
      await startTestService({ ...env, CLAWCALL_NODE_ID: "a" }, { engine: engine() }),
      await startTestService({ ...env, CLAWCALL_NODE_ID: "b" }, { engine: engine() }),
    ];
  });
  afterAll(async () => {
    for (const n of nodes) await n.dispose();
    await db?.drop();
    await receiver.close();
  });

  it("sends each event once, whichever node wrote it, signed with the wallet's one secret", async () => {
    // The first refusal of each call.completed makes it wait for a retry, which either node may take.
    const refused = new Set<string>();
    receiver.answer = (r) => {
      if (r.json?.type === "call.completed" && !refused.has(r.json.id)) {
        refused.add(r.json.id);
        return { status: 503 };
      }
      return { status: 200 };
    };
    const [a, b] = nodes as [TestService, TestService];
    const { key } = await a.billing.mintKey(new Date());
    const put = await b.request("PUT", "/me/webhook", { key, body: { url: `${base}/cluster` } });
    const placed: string[] = [];
    for (let i = 0; i < 6; i++) {
      const node = i % 2 === 0 ? a : b;
      const to = `+121255501${i % 2 === 0 ? "01" : "03"}`;
      const created = await node.request("POST", "/call", { key, body: { to, task: "Confirm it." } });
      expect(created.status).toBe(201);
      placed.push(created.body.call_id);
    }
    for (const id of placed) await pollUntilFinal(a, key, id);
    const completed = () => receiver.received.filter((r) => r.json?.type === "call.completed");
    await receiver.until(
      (all) =>
        completed().filter((r) => r.answered === 200).length >= placed.length &&
        all.filter((r) => r.answered === 200).length >= placed.length * 2,
    );
    const accepted = receiver.received.filter((r) => r.answered === 200);
    // Every event of every call, once each: started and completed.
    expect(accepted).toHaveLength(placed.length * 2);
    expect(new Set(accepted.map((r) => r.json.id)).size).toBe(accepted.length);
    expect(new Set(completed().map((r) => r.json.data.call.id))).toEqual(new Set(placed));
    const verify = await documentedVerifier();
    for (const r of receiver.received) {
      expect(verify(put.body.secret, String(r.headers["clawcall-signature"]), r.body)).toBe(true);
    }
  });
});
