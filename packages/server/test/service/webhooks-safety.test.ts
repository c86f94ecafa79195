import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";
import { WEBHOOK_TEST_ENV, WebhookReceiver } from "../helpers/webhook-receiver.ts";

const engine = () =>
  new ListeningEngine({ talkSeconds: 0.2, lines: [{ role: "assistant", text: "Hello." }] });
const BUSY = "+12125550101";

async function mintKey(service: TestService): Promise<string> {
  return (await service.billing.mintKey(new Date())).key;
}

/** The wallet's delivery of one call's call.completed event, once there is one. */
async function completedDelivery(service: TestService, key: string, callId: string) {
  const res = await service.request("GET", `/me/webhook/deliveries?call_id=${callId}`, { key });
  return res.body.deliveries.find((d: { event_type: string }) => d.event_type === "call.completed");
}

async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got) return got;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("webhook URLs that lead to private addresses", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({}, { engine: engine() });
  });
  afterAll(() => service.dispose());

  it.each([
    ["a private address", "https://10.0.0.1/hook"],
    ["the cloud metadata address", "https://169.254.169.254/latest/meta-data"],
    ["a name that resolves to loopback", "https://localhost:8443/hook"],
    ["an IPv4 address inside IPv6", "https://[::ffff:10.0.0.1]/hook"],
    ["an IPv6 unique-local address", "https://[fd00::1]/hook"],
    ["plain http", "http://hooks.example.com/hook"],
    ["credentials", "https://user:secret@hooks.example.com/hook"],
    ["another scheme", "ftp://hooks.example.com/hook"],
  ])("are refused when subscribing: %s", async (_, url) => {
    const key = await mintKey(service);
    const res = await service.request("PUT", "/me/webhook", { key, body: { url } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_webhook_url");
    expect((await service.request("GET", "/me/webhook", { key })).body.configured).toBe(false);
  });

  it("are named in the start-up lines: https only, loopback only when allowed (and loudly)", async () => {
    expect(service.describe()).toContain("webhooks: https only, never to private or loopback addresses");
    const loose = await startTestService(WEBHOOK_TEST_ENV, { engine: engine() });
    try {
      expect(loose.describe().join("\n")).toMatch(
        /webhooks: LOOPBACK ALLOWED \(CLAWCALL_WEBHOOKS_ALLOW_LOOPBACK\)/,
      );
    } finally {
      await loose.dispose();
    }
  });

  it("are refused on POST /call before a key is minted or a call placed", async () => {
    for (const webhook_url of ["https://169.254.169.254/", "https://localhost/hook", "ftp://x.example/"]) {
      const res = await service.request("POST", "/call", {
        body: { to: "+12125550100", task: "Confirm the appointment.", webhook_url },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_webhook_url");
      expect(res.body.api_key).toBeUndefined();
    }
  });

  it("refuses unknown events and bodies that are not a webhook", async () => {
    const key = await mintKey(service);
    const bad = await service.request("PUT", "/me/webhook", {
      key,
      body: { url: "https://hooks.example.com/", events: ["call.exploded"] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_webhook");
    const notJson = await service.request("PUT", "/me/webhook", { key, raw: "url=https://x" });
    expect(notJson.body.error.code).toBe("invalid_json");
  });
});

describe("webhook deliveries across restarts", () => {
  let receiver: WebhookReceiver;
  let base: string;
  const dirs: string[] = [];
  beforeAll(async () => {
    receiver = new WebhookReceiver();
    base = await receiver.start();
  });
  afterAll(async () => {
    await receiver.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A service on `dataDir`, closed (not disposed) so the next one opens the same SQLite file. */
  const start = (dataDir: string, env: Record<string, string> = WEBHOOK_TEST_ENV) =>
    startTestService(env, { engine: engine(), dataDir });

  /** Places a call whose call.completed the receiver refuses at `path`, and waits for a refused attempt. */
  async function pendingAtStop(url: string): Promise<{ dataDir: string; key: string; callId: string }> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-webhooks-"));
    dirs.push(dataDir);
    const first = await start(dataDir);
    try {
      const key = await mintKey(first);
      await first.request("PUT", "/me/webhook", { key, body: { url } });
      const created = await first.request("POST", "/call", { key, body: { to: BUSY, task: "Confirm it." } });
      const callId = created.body.call_id as string;
      await pollUntilFinal(first, key, callId);
      await until(async () => (await completedDelivery(first, key, callId))?.attempts >= 1);
      expect((await completedDelivery(first, key, callId)).status).toBe("pending");
      return { dataDir, key, callId };
    } finally {
      await first.close();
    }
  }

  it("delivers after a restart what a receiver refused before it, once", async () => {
    let up = false;
    receiver.answer = (r) => ({ status: r.path !== "/restart" || up ? 200 : 503 });
    const { dataDir, key, callId } = await pendingAtStop(`${base}/restart`);
    up = true;
    const second = await start(dataDir);
    try {
      await until(async () => (await completedDelivery(second, key, callId))?.status === "delivered");
      const events = receiver.received.filter(
        (r) => r.path === "/restart" && r.json.type === "call.completed",
      );
      expect(events.filter((r) => r.answered === 200)).toHaveLength(1);
      expect(events.every((r) => r.json.data.call.id === callId)).toBe(true);
      expect(new Set(events.map((r) => r.json.id)).size).toBe(1);
    } finally {
      await second.close();
    }
  });

  it("refuses at delivery time a name that leads to a private address, without reaching it", async () => {
    // Subscribed while loopback was allowed (its first attempts fail: the receiver speaks no TLS), then
    // the service restarts with loopback forbidden: `localhost` now resolves to a refused address.
    const url = `${base.replace("http://127.0.0.1", "https://localhost")}/private`;
    const { dataDir, key, callId } = await pendingAtStop(url);
    const strict = await start(dataDir, {
      CLAWCALL_WEBHOOKS_RETRY_SECONDS: "0.2",
      CLAWCALL_WEBHOOKS_POLL_SECONDS: "0.1",
    });
    try {
      const refused = await until(async () => {
        const d = await completedDelivery(strict, key, callId);
        return d?.last_error?.startsWith("refused") ? d : undefined;
      });
      expect(refused.last_error).toBe("refused: it leads to a private, loopback or link-local address");
      expect(refused.status).toBe("pending");
      expect(receiver.received.filter((r) => r.path === "/private")).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});

describe("webhook deliveries and their owners", () => {
  let service: TestService;
  let receiver: WebhookReceiver;
  let base: string;
  beforeAll(async () => {
    receiver = new WebhookReceiver();
    base = await receiver.start();
    service = await startTestService(WEBHOOK_TEST_ENV, { engine: engine() });
  });
  afterAll(async () => {
    await service.dispose();
    await receiver.close();
  });

  it("does not follow redirects", async () => {
    receiver.answer = (r) =>
      r.path === "/moved" ? { status: 302, headers: { location: `${base}/elsewhere` } } : { status: 200 };
    const key = await mintKey(service);
    await service.request("PUT", "/me/webhook", { key, body: { url: `${base}/moved` } });
    const created = await service.request("POST", "/call", { key, body: { to: BUSY, task: "Confirm it." } });
    await pollUntilFinal(service, key, created.body.call_id);
    const d = await until(async () => {
      const found = await completedDelivery(service, key, created.body.call_id);
      return found?.attempts >= 2 ? found : undefined;
    });
    expect(d).toMatchObject({ status: "pending", last_status_code: 302 });
    expect(d.last_error).toMatch(/redirects are not followed/);
    expect(receiver.received.some((r) => r.path === "/elsewhere")).toBe(false);
  });

  it("shows a key only its own wallet's webhook and deliveries", async () => {
    receiver.answer = () => ({ status: 200 });
    const alice = await mintKey(service);
    const bob = await mintKey(service);
    await service.request("PUT", "/me/webhook", { key: alice, body: { url: `${base}/alice` } });
    const created = await service.request("POST", "/call", {
      key: alice,
      body: { to: BUSY, task: "Confirm it." },
    });
    await pollUntilFinal(service, alice, created.body.call_id);
    const delivery = await until(() => completedDelivery(service, alice, created.body.call_id));

    const bobs = await service.request("GET", "/me/webhook", { key: bob });
    expect(bobs.body).toMatchObject({ configured: false, url: null, secret_hint: null });
    const listed = await service.request("GET", "/me/webhook/deliveries", { key: bob });
    expect(listed.body.deliveries).toEqual([]);
    const filtered = await service.request("GET", `/me/webhook/deliveries?call_id=${created.body.call_id}`, {
      key: bob,
    });
    expect(filtered.body.deliveries).toEqual([]);
    const replay = await service.request("POST", `/me/webhook/deliveries/${delivery.id}/replay`, {
      key: bob,
    });
    expect(replay.status).toBe(404);
    expect((await service.request("DELETE", "/me/webhook", { key: bob })).status).toBe(200);
    expect((await service.request("GET", "/me/webhook", { key: alice })).body.configured).toBe(true);
    expect((await service.request("GET", "/me/webhook", {})).status).toBe(401);

    // Removing the webhook gives up what was still to be sent, and a replay of it fails for want of a secret.
    expect((await service.request("DELETE", "/me/webhook", { key: alice })).body.configured).toBe(false);
    const again = await service.request("POST", `/me/webhook/deliveries/${delivery.id}/replay`, {
      key: alice,
    });
    expect(again.status).toBe(202);
    await until(async () => {
      const res = await service.request("GET", "/me/webhook/deliveries", { key: alice });
      return (
        res.body.deliveries.find((d: { id: string }) => d.id === again.body.delivery.id)?.status === "failed"
      );
    });
    const metrics = await (await fetch(service.metricsUrl)).text();
    expect(metrics).toMatch(/clawcall_webhook_attempts_total\{result="failed"\} [1-9]/);
  });
});

describe("a call's own webhook_url on a placement that places nothing", () => {
  it("makes no secret that nobody was shown", async () => {
    const service = await startTestService(
      { ...WEBHOOK_TEST_ENV, CLAWCALL_FREE_SECONDS: "0" },
      { engine: engine() },
    );
    try {
      const key = await mintKey(service);
      const body = { to: "+12125550100", task: "Confirm it.", webhook_url: "http://127.0.0.1:9/own" };
      const refused = await service.request("POST", "/call", { key, body });
      expect(refused.status).toBe(429);
      expect(refused.body.webhook_secret).toBeUndefined();
      expect((await service.request("GET", "/me/webhook", { key })).body.secret_hint).toBeNull();
    } finally {
      await service.dispose();
    }
  });
});

describe("webhook events and transcripts", () => {
  it("keeps transcript lines out of the database: they are read from the live store when sent", async () => {
    const marker = "Zebra-quartz-4242 is the confirmation code";
    const receiver = new WebhookReceiver();
    const base = await receiver.start();
    // Every attempt is refused, so every event stays in the outbox while the database is read.
    receiver.answer = () => ({ status: 503 });
    const service = await startTestService(WEBHOOK_TEST_ENV, {
      engine: new ListeningEngine({ talkSeconds: 0.2, lines: [{ role: "user", text: marker }] }),
    });
    try {
      const key = await mintKey(service);
      await service.request("PUT", "/me/webhook", {
        key,
        body: { url: `${base}/lines`, events: ["call.transcript", "call.completed"] },
      });
      const created = await service.request("POST", "/call", {
        key,
        body: { to: "+12125550100", task: "Confirm the code." },
      });
      await pollUntilFinal(service, key, created.body.call_id);
      await receiver.until((all) => all.some((r) => r.json?.type === "call.completed"));
      await receiver.until((all) => all.some((r) => r.json?.type === "call.transcript"));
      expect(receiver.received.some((r) => r.body.includes(marker))).toBe(true);
      const onDisk = fs
        .readdirSync(service.dataDir)
        .filter((f) => f.startsWith("clawcall.sqlite"))
        .map((f) => fs.readFileSync(path.join(service.dataDir, f)).toString("latin1"))
        .join("");
      expect(onDisk).toContain("call.completed");
      expect(onDisk).not.toContain("Zebra-quartz-4242");
      expect(onDisk).not.toContain(key);
    } finally {
      await service.dispose();
      await receiver.close();
    }
  });
});
