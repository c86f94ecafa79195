import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esc } from "../../src/api/html.ts";
import { DashboardVisitor } from "../helpers/dashboard-visitor.ts";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { documentedVerifier, WEBHOOK_TEST_ENV, WebhookReceiver } from "../helpers/webhook-receiver.ts";

const PASSWORD = "amber lantern quay";
const PAGE = "/dashboard/webhooks";

const secretIn = (html: string) => /id="new-secret"[^>]* value="([^"]+)"/.exec(html)?.[1];
const deliveryIdsIn = (html: string) =>
  [...html.matchAll(/name="delivery_id" value="([^"]+)"/g)].map((m) => m[1]!);

/** The page once it shows `text`: the worker records a delivery's answer just after the receiver has it. */
async function pageShowing(visitor: DashboardVisitor, text: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const page = (await visitor.get(PAGE)).text;
    if (page.includes(text)) return page;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${PAGE} never showed ${text}`);
}

describe("the dashboard's webhooks page", () => {
  let service: TestService;
  let receiver: WebhookReceiver;
  let base: string;
  let alice: DashboardVisitor;
  let bob: DashboardVisitor;
  let aliceWallet: string;
  beforeAll(async () => {
    receiver = new WebhookReceiver();
    base = await receiver.start();
    service = await startTestService(
      { CLAWCALL_TRUSTED_PROXIES: "loopback", CLAWCALL_SIGNUP_GRANT_SECONDS: "600", ...WEBHOOK_TEST_ENV },
      { engine: new ListeningEngine({ talkSeconds: 0.2, lines: [{ role: "assistant", text: "Hello." }] }) },
    );
    alice = new DashboardVisitor(service, "192.0.2.81");
    bob = new DashboardVisitor(service, "192.0.2.82");
    await alice.signUp("alice@example.test", PASSWORD);
    await bob.signUp("bob@example.test", PASSWORD);
    aliceWallet = `account:${(await service.billing.accountByEmail("alice@example.test"))!.id}`;
  });
  afterAll(async () => {
    await service?.dispose();
    await receiver?.close();
  });

  it("refuses every form without its CSRF token, and changes nothing", async () => {
    const forged = { csrf: "forged", url: `${base}/forged`, events: "call.started" };
    expect((await alice.post(PAGE, forged)).status).toBe(403);
    expect(await service.webhooks.get(aliceWallet)).toBeNull();
    // Another session's token is no token for this one.
    const bobsToken = /name="csrf" value="([^"]+)"/.exec((await bob.get(PAGE)).text)![1]!;
    expect((await alice.post(PAGE, { ...forged, csrf: bobsToken })).status).toBe(403);
    for (const action of ["rotate", "remove", "replay"]) {
      expect((await alice.post(`${PAGE}/${action}`, { csrf: "forged" })).status, action).toBe(403);
    }
    expect(await service.webhooks.get(aliceWallet)).toBeNull();
  });

  it("refuses what PUT /me/webhook refuses, in its words, keeping what was typed", async () => {
    const made = await alice.submit("/dashboard/keys", "/dashboard/keys", {});
    const key = /id="new-key">([^<]+)</.exec(made.text)![1]!;
    for (const url of ["https://10.0.0.1/hook", "https://[::ffff:10.0.0.1]/hook", "ftp://example.test/"]) {
      const api = await service.request("PUT", "/me/webhook", { key, body: { url } });
      expect(api.status, url).toBe(400);
      const page = await alice.submit(PAGE, PAGE, { url, events: "call.completed" });
      expect(page.status, url).toBe(400);
      expect(page.text).toContain(esc(`${api.body.error.message} (${api.body.error.code})`));
      expect(page.text).toContain(`value="${esc(url)}"`);
    }
    // The private address is refused for where it leads, not for its form.
    const privateOne = await alice.submit(PAGE, PAGE, {
      url: "https://10.0.0.1/hook",
      events: "call.status",
    });
    expect(privateOne.text).toContain("cannot be used:");
    expect(privateOne.text).toMatch(/id="ev-call\.status"[^>]* checked/);
    const noEvents = await alice.submit(PAGE, PAGE, { url: `${base}/hooks` });
    expect(noEvents.status).toBe(400);
    expect(noEvents.text).toContain("(invalid_webhook)");
    expect(await service.webhooks.get(aliceWallet)).toBeNull();
  });

  it("sets a webhook with its secret shown once, rotates the secret and removes it", async () => {
    const carol = new DashboardVisitor(service, "192.0.2.83");
    await carol.signUp("carol@example.test", PASSWORD);
    const wallet = `account:${(await service.billing.accountByEmail("carol@example.test"))!.id}`;
    const saved = await carol.submit(PAGE, PAGE, {
      url: `${base}/carol`,
      events: ["call.started", "call.transcript"],
    });
    expect(saved.status).toBe(200);
    const first = secretIn(saved.text)!;
    expect(first).toMatch(/^whsec_/);
    const endpoint = await service.webhooks.get(wallet);
    expect(endpoint).toMatchObject({ url: `${base}/carol`, events: ["call.started", "call.transcript"] });
    const shown = (await carol.get(PAGE)).text;
    expect(shown).not.toContain(first);
    expect(shown).toContain(`${first.slice(0, 10)}…`);

    // Saving again keeps the secret; rotating makes a new one, the only one that signs from now on.
    const again = await carol.submit(PAGE, PAGE, { url: `${base}/carol2`, events: "call.completed" });
    expect(secretIn(again.text)).toBeUndefined();
    expect((await service.webhooks.get(wallet))?.secretHint).toBe(first.slice(0, 10));
    const rotated = await carol.submit(PAGE, `${PAGE}/rotate`, {});
    expect(rotated.status).toBe(200);
    const second = secretIn(rotated.text)!;
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    expect((await service.webhooks.get(wallet))?.secretHint).toBe(second.slice(0, 10));
    expect((await service.webhooks.get(wallet))?.url).toBe(`${base}/carol2`);

    const removed = await carol.submit(PAGE, `${PAGE}/remove`, {});
    expect(removed.status).toBe(200);
    expect(removed.text).toContain("No webhook is set");
    expect(await service.webhooks.get(wallet)).toBeNull();
    expect((await carol.submit(PAGE, `${PAGE}/rotate`, {})).status).toBe(409);
  });

  it("lists the account's deliveries and replays them; another account never sees nor replays one", async () => {
    const set = await alice.submit(PAGE, PAGE, { url: `${base}/alice`, events: "call.completed" });
    expect(set.status).toBe(200);
    const secret = secretIn(set.text)!;
    const placed = await alice.submit("/dashboard/place", "/dashboard/place", {
      to: "+12125550100",
      task: "Ask about opening hours on Saturday.",
    });
    expect(placed.status).toBe(303);
    const callId = placed.headers.get("location")!.split("/").at(-1)!;
    const fromAlice = (r: { path: string }) => r.path === "/alice";
    await receiver.until((rs) => rs.some(fromAlice));
    const verify = await documentedVerifier();
    const got = receiver.received.find(fromAlice)!;
    expect(verify(secret, String(got.headers["clawcall-signature"]), got.body)).toBe(true);

    const listed = await pageShowing(alice, ">delivered<");
    expect(listed).toContain(`/dashboard/calls/${callId}`);
    expect(listed).toMatch(/<code>call\.completed<\/code><\/td>.*<td>delivered<\/td><td>1<\/td>/s);
    const [deliveryId] = deliveryIdsIn(listed);
    expect(deliveryId).toBeDefined();

    const bobsPage = (await bob.get(PAGE)).text;
    expect(bobsPage).not.toContain(deliveryId!);
    expect(bobsPage).not.toContain(callId);
    const bobTry = await bob.submit(PAGE, `${PAGE}/replay`, { delivery_id: deliveryId! });
    expect(bobTry.status).toBe(404);
    expect(bobTry.text).toContain("No such delivery on this account.");
    expect(receiver.received.filter(fromAlice)).toHaveLength(1);

    // The replay finds the receiver failing: the page says how.
    receiver.answer = (r) => ({ status: fromAlice(r) ? 500 : 200 });
    const replayed = await alice.submit(PAGE, `${PAGE}/replay`, { delivery_id: deliveryId! });
    expect(replayed.status).toBe(202);
    await receiver.until((rs) => rs.filter(fromAlice).length >= 2);
    const [one, two] = receiver.received.filter(fromAlice);
    expect(two!.headers["clawcall-event-id"]).toBe(one!.headers["clawcall-event-id"]);
    const after = await pageShowing(alice, "HTTP 500");
    expect(deliveryIdsIn(after)).toHaveLength(2);
    expect(after).toContain("(replay)");
    expect(after).toContain("HTTP 500");
    receiver.answer = () => ({ status: 200 });
  });
});
