import { WebhookEventSchema, WebhookSettingsSchema } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL } from "../helpers/external-services.ts";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { describeWith, POSTGRES } from "../helpers/prerequisites.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";
import { documentedVerifier, WEBHOOK_TEST_ENV, WebhookReceiver } from "../helpers/webhook-receiver.ts";

const engine = () =>
  new ListeningEngine({
    talkSeconds: 0.3,
    lines: [
      { role: "assistant", text: "Hi, this is an AI assistant calling for Jordan." },
      { role: "user", text: "Hello, front desk." },
    ],
  });

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function mintKey(service: TestService): Promise<string> {
  return (await service.billing.mintKey(new Date())).key;
}

/** The suite on one kind of database: `database` gives the service's extra settings and how to drop them. */
function deliverySuite(
  describeIt: (name: string, body: () => void) => void,
  name: string,
  database: () => Promise<{ env: Record<string, string>; drop(): Promise<void> }>,
) {
  describeIt(name, () => suite(database));
}

function suite(database: () => Promise<{ env: Record<string, string>; drop(): Promise<void> }>) {
  let service: TestService;
  let receiver: WebhookReceiver;
  let base: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    base = await receiver.start();
    const db = await database();
    drop = db.drop;
    service = await startTestService({ ...WEBHOOK_TEST_ENV, ...db.env }, { engine: engine() });
  });
  afterAll(async () => {
    await service.dispose();
    await receiver.close();
    await drop();
  });

  it("sends each event of a call once, signed as the guide's snippet checks, the final one with its result", async () => {
    const key = await mintKey(service);
    const url = `${base}/all`;
    const put = await service.request("PUT", "/me/webhook", {
      key,
      body: { url, events: ["call.started", "call.status", "call.transcript", "call.completed"] },
    });
    expect(put.status).toBe(200);
    const secret = put.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    expect(put.body.secret_hint).toBe(secret.slice(0, 10));
    expect(WebhookSettingsSchema.safeParse(put.body).success).toBe(true);
    const again = await service.request("GET", "/me/webhook", { key });
    expect(again.body).toMatchObject({ configured: true, url, secret_hint: secret.slice(0, 10) });
    expect(again.body.secret).toBeUndefined();

    const created = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550100", task: "Confirm the appointment." },
    });
    expect(created.status).toBe(201);
    expect(created.body.webhook_secret).toBeUndefined();
    const callId = created.body.call_id as string;
    const { call } = await pollUntilFinal(service, key, callId);
    const mine = () => receiver.received.filter((r) => r.path === "/all");
    await receiver.until(() => mine().some((r) => r.headers["clawcall-event-type"] === "call.completed"));

    const verify = await documentedVerifier();
    for (const r of mine()) {
      expect(WebhookEventSchema.safeParse(r.json).success).toBe(true);
      expect(verify(secret, String(r.headers["clawcall-signature"]), r.body)).toBe(true);
      expect(verify("whsec_wrong", String(r.headers["clawcall-signature"]), r.body)).toBe(false);
      expect(r.headers["clawcall-event-id"]).toBe(r.json.id);
      expect(r.body).not.toContain(key);
      expect(r.body).not.toContain("api_key");
    }
    const types = mine().map((r) => r.json.type);
    // A call's events go out in the order they were written, but two written in the same millisecond
    // have no order between them; what a receiver can rely on is each event's lifecycle.
    expect(types.filter((t) => t === "call.started")).toHaveLength(1);
    expect(types).toContain("call.status");
    const started = mine().find((r) => r.json.type === "call.started")!;
    expect(started.json.data.call).toMatchObject({ id: callId, lifecycle: "queued", to: "+12125550100" });
    const lines = mine().filter((r) => r.json.type === "call.transcript");
    // Deliveries are not ordered (retries would reorder them anyway): each line says its place.
    lines.sort((a, b) => a.json.data.index - b.json.data.index);
    expect(lines.map((r) => r.json.data.entry.text)).toEqual(
      call.transcript.map((t: { text: string }) => t.text),
    );
    const completed = mine().filter((r) => r.json.type === "call.completed");
    expect(completed).toHaveLength(1);
    const final = completed[0]!.json.data.call;
    expect(final).toMatchObject({
      id: callId,
      status: "completed",
      lifecycle: "finalized",
      outcome: "answered",
    });
    expect(final.result).toEqual(call.result);
    expect(final.transcript).toEqual(call.transcript);

    // The receiver's answer is recorded right after it is read.
    const deliveries = await until(async () => {
      const res = await service.request("GET", "/me/webhook/deliveries?limit=100", { key });
      return res.body.deliveries.every((d: { status: string }) => d.status !== "pending") ? res : undefined;
    });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.deliveries.length).toBe(mine().length);
    for (const d of deliveries.body.deliveries) {
      expect(d).toMatchObject({ status: "delivered", attempts: 1, last_status_code: 200, url });
    }
    const metrics = await (await fetch(service.metricsUrl)).text();
    expect(metrics).toMatch(/clawcall_webhook_attempts_total\{result="delivered"\} [1-9]/);
    // Every event went out once: no event id was sent twice to a receiver that answered 200.
    const ids = mine().map((r) => r.json.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("tries again after a receiver's failures and stops at its first 2xx", async () => {
    const key = await mintKey(service);
    let failures = 0;
    receiver.answer = (r) => {
      if (r.path === "/flaky" && r.json?.type === "call.completed" && failures < 2) {
        failures++;
        return { status: 500 };
      }
      return { status: 200 };
    };
    const first = await service.request("PUT", "/me/webhook", { key, body: { url: `${base}/flaky` } });
    // Setting it again keeps the secret (and shows none); asking for a new one makes and shows it.
    const same = await service.request("PUT", "/me/webhook", { key, body: { url: `${base}/flaky` } });
    expect(same.body.secret).toBeUndefined();
    expect(same.body.secret_hint).toBe(first.body.secret_hint);
    const rotated = await service.request("PUT", "/me/webhook", {
      key,
      body: { url: `${base}/flaky`, rotate_secret: true },
    });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(first.body.secret);
    expect(rotated.body.secret_hint).toBe(rotated.body.secret.slice(0, 10));
    const verify = await documentedVerifier();
    const created = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550101", task: "Confirm the appointment." },
    });
    await pollUntilFinal(service, key, created.body.call_id);
    const completed = () =>
      receiver.received.filter((r) => r.path === "/flaky" && r.json?.type === "call.completed");
    await receiver.until(() => completed().some((r) => r.answered === 200));
    const delivery = await until(async () => {
      const listed = await service.request("GET", `/me/webhook/deliveries?call_id=${created.body.call_id}`, {
        key,
      });
      const found = listed.body.deliveries.find(
        (d: { event_type: string }) => d.event_type === "call.completed",
      );
      return found?.status === "delivered" ? found : undefined;
    });
    expect(delivery).toMatchObject({
      status: "delivered",
      attempts: 3,
      last_status_code: 200,
      last_error: null,
    });
    expect(completed().map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(new Set(completed().map((r) => r.headers["clawcall-delivery-id"])).size).toBe(1);
    expect(completed()[0]!.json.data.call.outcome).toBe("busy");
    for (const r of completed()) {
      expect(verify(rotated.body.secret, String(r.headers["clawcall-signature"]), r.body)).toBe(true);
    }

    // A replay is a new delivery of the same event.
    const replay = await service.request("POST", `/me/webhook/deliveries/${delivery.id}/replay`, { key });
    expect(replay.status).toBe(202);
    expect(replay.body.delivery).toMatchObject({ event_id: delivery.event_id, replay_of: delivery.id });
    await receiver.until(() => completed().length === 4);
    expect(completed()[3]!.json.id).toBe(delivery.event_id);
    expect(completed()[3]!.headers["clawcall-delivery-id"]).toBe(replay.body.delivery.id);
  });

  it("reports a call to its own webhook_url, signed with a secret its answer shows once", async () => {
    const key = await mintKey(service);
    const body = { to: "+12125550102", task: "Confirm the appointment.", webhook_url: `${base}/own` };
    const first = await service.request("POST", "/call", { key, body });
    expect(first.status).toBe(201);
    const secret = first.body.webhook_secret as string;
    expect(secret).toMatch(/^whsec_/);
    await pollUntilFinal(service, key, first.body.call_id);
    const own = () => receiver.received.filter((r) => r.path === "/own");
    await receiver.until(() => own().some((r) => r.json?.type === "call.completed"));
    expect(own().map((r) => r.json.type)).toEqual(["call.started", "call.completed"]);
    const verify = await documentedVerifier();
    for (const r of own()) expect(verify(secret, String(r.headers["clawcall-signature"]), r.body)).toBe(true);
    // The wallet has no URL of its own: only the call's receiver hears of it.
    const settings = await service.request("GET", "/me/webhook", { key });
    expect(settings.body).toMatchObject({ configured: false, url: null, secret_hint: secret.slice(0, 10) });

    const second = await service.request("POST", "/call", { key, body });
    expect(second.status).toBe(201);
    expect(second.body.webhook_secret).toBeUndefined();
    await pollUntilFinal(service, key, second.body.call_id);
  });
}

deliverySuite(describe, "webhooks delivered to a loopback receiver", async () => ({
  env: {},
  drop: async () => {},
}));

deliverySuite(
  (name, body) => describeWith(POSTGRES, name, body),
  "webhooks delivered to a loopback receiver, with PostgreSQL",
  async () => {
    const db = await freshDatabase(POSTGRES_URL!);
    return { env: { DATABASE_URL: db.url }, drop: db.drop };
  },
);
