import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/logger.ts";
import { type FakeCheckoutSession, type FakeStripe, startFakeStripe } from "../fakes/fake-stripe.ts";
import type { FakeWebhookDelivery } from "../fakes/index.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const SECRET_KEY = "sk_test_clawcallFakeKey0001";
const WEBHOOK_SECRET = "whsec_clawcallFakeSecret0001";
const PURCHASE_TEXT = "Questions? Write to <sales@example.test>.";

const form = (fields: Record<string, string>, clientIp = "127.0.0.1") => ({
  raw: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": clientIp },
});

describe("payments: Stripe Checkout sells call time and credits it from signed webhooks", () => {
  let stripe: FakeStripe;
  let service: TestService;
  const logLines: string[] = [];
  const apiKeys: string[] = [];
  // The checkout form is rate-limited per client address: each test buys from its own (loopback) one.
  let clients = 1;
  let clientIp = "127.0.0.1";

  beforeAll(async () => {
    stripe = await startFakeStripe({ apiKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
    service = await startTestService(
      {
        STRIPE_SECRET_KEY: SECRET_KEY,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        CLAWCALL_STRIPE_API_BASE: stripe.url,
        CLAWCALL_PURCHASE_TEXT: PURCHASE_TEXT,
        CLAWCALL_TRUST_PROXY: "true",
        CLAWCALL_FREE_SECONDS: "0",
      },
      { logger: createLogger("debug", { write: (line: string) => void logLines.push(line) }) },
    );
  });
  afterAll(async () => {
    await service?.dispose();
    await stripe?.close();
  });

  const nextClient = () => {
    clientIp = `127.0.0.${++clients}`;
  };

  async function linkedKey(email: string): Promise<{ key: string; accountId: string }> {
    const { key } = await service.billing.mintKey(new Date());
    apiKeys.push(key);
    const signup = await service.request(
      "POST",
      "/signup",
      form({ token: key, email, password: "correct horse", link: "yes" }),
    );
    expect(signup.status).toBe(201);
    const record = await service.billing.keys.find(key);
    return { key, accountId: record!.account_id! };
  }

  const balance = async (key: string): Promise<number> =>
    (await service.request("GET", "/balance", { key })).body.balance_seconds;

  const checkout = (key: string, pkg: string, attempt?: string) =>
    service.request(
      "POST",
      "/purchase/checkout",
      form({ token: key, package: pkg, ...(attempt ? { attempt } : {}) }, clientIp),
    );

  const sessionIdOf = (location: string | null) =>
    new URL(location ?? "http://x/").pathname.split("/").pop()!;

  async function paidSession(key: string, pkg = "60", changes: Partial<FakeCheckoutSession> = {}) {
    const res = await checkout(key, pkg);
    expect(res.status).toBe(303);
    return stripe.complete(sessionIdOf(res.headers.get("location")), changes);
  }

  const deliver = (d: Pick<FakeWebhookDelivery, "body" | "headers">) =>
    service.request("POST", "/stripe/webhook", { raw: d.body, headers: d.headers });

  it("lists each package with its price on the purchase page, and says so at start-up", async () => {
    const { key } = await linkedKey("page@example.test");
    const page = await service.request("GET", `/purchase?token=${key}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("60 minutes — $9.00");
    expect(page.text).toContain("300 minutes — $39.00");
    expect(page.text.match(/<form method="post" action="\/purchase\/checkout">/g)).toHaveLength(2);
    expect(page.text).toContain(`name="token" value="${key}"`);
    expect(page.text).toContain("Questions? Write to &lt;sales@example.test&gt;.");
    expect(page.text).not.toContain("<sales@example.test>");
    expect(service.describe()).toContain(
      `payments: Stripe Checkout, 2 packages (API at ${new URL(stripe.url).host})`,
    );
    expect(service.describe().join("\n")).not.toContain(SECRET_KEY);
  });

  it("answers a checkout with 303 to Stripe's page, asking for the package's amount and metadata", async () => {
    nextClient();
    const { key, accountId } = await linkedKey("checkout@example.test");
    const before = stripe.requests.length;
    const attempt = "0f8b4a52-3c55-4b7e-9a51-2d1b1f6a0c11";
    const res = await checkout(key, "300", attempt);
    expect(res.status).toBe(303);
    const session = stripe.sessions.get(sessionIdOf(res.headers.get("location")))!;
    expect(res.headers.get("location")).toBe(session.url);
    expect(session).toMatchObject({
      object: "checkout.session",
      payment_status: "unpaid",
      amount_total: 3900,
    });

    const sent = stripe.requests[before]!;
    expect(sent).toMatchObject({
      method: "POST",
      path: "/v1/checkout/sessions",
      authorization: `Bearer ${SECRET_KEY}`,
    });
    expect(sent.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(sent.rawBody).toContain("line_items[0][price_data][unit_amount]=3900");
    expect(sent.idempotencyKey).toContain(attempt);
    expect(sent.params).toEqual({
      mode: "payment",
      line_items: [
        {
          quantity: "1",
          price_data: {
            currency: "usd",
            unit_amount: "3900",
            product_data: { name: "ClawCall call time: 300 minutes" },
          },
        },
      ],
      client_reference_id: accountId,
      metadata: { account_id: accountId, seconds: "18000", package: "300" },
      success_url: `${service.url}/purchase/done?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${service.url}/purchase/cancelled`,
    });

    // The same press of the button, sent again, reopens the same checkout.
    const again = await checkout(key, "300", attempt);
    expect(again.headers.get("location")).toBe(session.url);
    expect(stripe.sessions.size).toBe([...stripe.sessions.keys()].length);
    expect([...stripe.sessions.values()].filter((s) => s.client_reference_id === accountId)).toHaveLength(1);
    // Going to Stripe credits nothing; only its signed confirmation does.
    expect(await balance(key)).toBe(0);
  });

  it("credits a paid session's seconds once, however often and however concurrently it is delivered", async () => {
    nextClient();
    const { key } = await linkedKey("buyer@example.test");
    const session = await paidSession(key, "60");
    const delivery = stripe.signedEvent("checkout.session.completed", session);
    const first = await deliver(delivery);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ received: true, outcome: "credited" });
    expect(await balance(key)).toBe(3600);

    for (let i = 0; i < 4; i++) expect((await deliver(delivery)).body.outcome).toBe("duplicate");
    // A fresh delivery (new event id and signature) of the same payment is a duplicate too.
    const resent = await deliver(stripe.signedEvent("checkout.session.async_payment_succeeded", session));
    expect(resent.body.outcome).toBe("duplicate");
    expect(await balance(key)).toBe(3600);

    const second = await paidSession(key, "300");
    const burst = stripe.signedEvent("checkout.session.completed", second);
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(burst)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.body.outcome).sort()).toEqual([
      "credited",
      "duplicate",
      "duplicate",
      "duplicate",
      "duplicate",
    ]);
    expect(await balance(key)).toBe(3600 + 18000);

    const done = await service.request("GET", `/purchase/done?session_id=${encodeURIComponent(second.id)}`);
    expect(done.status).toBe(200);
    expect(done.text).toContain("300 min 0 s of call time were added to your account.");
    // Nothing the buyer's browser brings back reveals or needs the key.
    expect(done.text).not.toContain(key);
  });

  it("refuses a webhook whose signature is missing, wrong, for another body or too old, changing nothing", async () => {
    nextClient();
    const { key } = await linkedKey("forger@example.test");
    const session = await paidSession(key, "60");
    const good = stripe.signedEvent("checkout.session.completed", session);
    const now = Math.floor(Date.now() / 1000);
    const refused = [
      { body: good.body, headers: { "content-type": "application/json" } },
      { body: good.body, headers: { ...good.headers, "stripe-signature": "garbage" } },
      stripe.signedEvent("checkout.session.completed", session, { secret: "whsec_someoneElse" }),
      { body: good.body.replace('"amount_total": 900', '"amount_total": 9'), headers: good.headers },
      {
        body: good.body.replace(`"metadata": {`, `"metadata": {\n      "extra": "1",`),
        headers: good.headers,
      },
      stripe.signedEvent("checkout.session.completed", session, { timestamp: now - 600 }),
    ];
    for (const d of refused) {
      const res = await deliver(d);
      expect(res.status, d.headers["stripe-signature"] ?? "no header").toBe(400);
      expect(res.body.error.code).toBe("invalid_signature");
    }
    expect(await balance(key)).toBe(0);
    // None of them left a mark: the genuine delivery still credits.
    expect((await deliver(good)).body.outcome).toBe("credited");
    expect(await balance(key)).toBe(3600);
  });

  it("credits nothing for an unpaid session, a changed amount, currency or package, or an unknown account", async () => {
    nextClient();
    const { key } = await linkedKey("careful@example.test");

    // A bank debit completes unpaid; its later async_payment_succeeded is what credits.
    const delayed = await paidSession(key, "60", { payment_status: "unpaid" });
    const unpaid = await deliver(stripe.signedEvent("checkout.session.completed", delayed));
    expect(unpaid.body.outcome).toBe("ignored");
    expect(await balance(key)).toBe(0);
    const done = await service.request("GET", `/purchase/done?session_id=${delayed.id}`);
    expect(done.status).toBe(200);
    expect(done.text).toContain("Payment received; your minutes are added as soon as Stripe confirms it.");
    expect(await balance(key)).toBe(0);

    const changed: Partial<FakeCheckoutSession>[] = [
      { amount_total: 100 },
      { currency: "eur" },
      { mode: "subscription" },
    ];
    for (const changes of changed) {
      const s = await paidSession(key, "60", changes);
      const res = await deliver(stripe.signedEvent("checkout.session.completed", s));
      expect(res.status).toBe(200);
      expect(res.body.outcome, JSON.stringify(changes)).toBe("refused");
    }
    for (const meta of [{ package: "999" }, { seconds: "999999" }] as Record<string, string>[]) {
      const s = await paidSession(key, "60");
      s.metadata = { ...s.metadata, ...meta };
      const res = await deliver(stripe.signedEvent("checkout.session.completed", s));
      expect(res.body.outcome, JSON.stringify(meta)).toBe("refused");
    }
    const stranger = await paidSession(key, "60");
    const nobody = "00000000-0000-4000-8000-000000000000";
    stranger.metadata = { ...stranger.metadata, account_id: nobody };
    stranger.client_reference_id = nobody;
    expect((await deliver(stripe.signedEvent("checkout.session.completed", stranger))).body.outcome).toBe(
      "ignored",
    );
    const other = await deliver(stripe.signedEvent("payment_intent.succeeded", stranger));
    expect(other.status).toBe(200);
    expect(other.body.outcome).toBe("ignored");
    expect(await balance(key)).toBe(0);

    stripe.complete(delayed.id, { payment_status: "paid" });
    const settled = await deliver(stripe.signedEvent("checkout.session.async_payment_succeeded", delayed));
    expect(settled.body.outcome).toBe("credited");
    expect(await balance(key)).toBe(3600);
  });

  it("shows the page again with an error when Stripe fails, and credits nothing", async () => {
    nextClient();
    const { key } = await linkedKey("declined@example.test");
    const sessions = stripe.sessions.size;
    stripe.failNext({
      status: 402,
      type: "card_error",
      code: "card_declined",
      message: "Your card was declined.",
    });
    const declined = await checkout(key, "60");
    expect(declined.status).toBe(502);
    expect(declined.text).toContain("Stripe could not open the payment page, so nothing was charged.");
    expect(declined.text).toContain("60 minutes — $9.00");
    stripe.failNext({ status: 500, shouldRetry: false });
    expect((await checkout(key, "300")).status).toBe(502);
    expect(stripe.sessions.size).toBe(sessions);

    // A failure Stripe asks to retry is retried with the same idempotency key, and one session results.
    const before = stripe.requests.length;
    stripe.failNext({ status: 503, shouldRetry: true });
    const retried = await checkout(key, "60");
    expect(retried.status).toBe(303);
    const attempts = stripe.requests.slice(before);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.idempotencyKey).toBe(attempts[0]!.idempotencyKey);
    expect(stripe.sessions.size).toBe(sessions + 1);
    expect(await balance(key)).toBe(0);
  });

  it("refuses checkouts for unknown or unlinked keys and unknown packages, and limits them per client", async () => {
    nextClient();
    const sessions = stripe.sessions.size;
    const unknown = await checkout("cc_live_not-a-key", "60");
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("Open this page from the link your assistant gave you.");
    const { key: unlinked } = await service.billing.mintKey(new Date());
    apiKeys.push(unlinked);
    const notLinked = await checkout(unlinked, "60");
    expect(notLinked.status).toBe(403);
    expect(notLinked.text).toContain(`/signup?token=${encodeURIComponent(unlinked)}`);
    const { key } = await linkedKey("choosy@example.test");
    const badPackage = await checkout(key, "61");
    expect(badPackage.status).toBe(400);
    expect(badPackage.text).toContain("Choose one of the packages below.");
    expect((await service.request("GET", "/purchase/done?session_id=nope")).status).toBe(404);
    expect((await service.request("GET", "/purchase/cancelled")).text).toContain("No payment was made.");
    expect(stripe.sessions.size).toBe(sessions);

    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await checkout(key, "61")).status);
    expect(statuses.slice(0, 17).every((s) => s === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(stripe.sessions.size).toBe(sessions);
  });

  it("logs sessions and accounts, never keys, secrets, tokens or email addresses", () => {
    const log = logLines.join("");
    expect(log).toContain("checkout payment");
    expect(log).toContain("paid checkout not credited");
    for (const secret of [SECRET_KEY, WEBHOOK_SECRET, ...apiKeys, "@example.test", "correct horse"]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe("payments: without Stripe configured", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      CLAWCALL_PURCHASE_TEXT: "Write to sales@example.test for minutes.",
      CLAWCALL_PURCHASE_URL: "https://example.test/buy?plan=a&b=1",
    });
  });
  afterAll(() => service?.dispose());

  it("keeps the operator's text and link on the purchase page and serves no payment routes", async () => {
    const { key } = await service.billing.mintKey(new Date());
    await service.request(
      "POST",
      "/signup",
      form({ token: key, email: "plain@example.test", password: "correct horse", link: "yes" }),
    );
    const page = await service.request("GET", `/purchase?token=${key}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Write to sales@example.test for minutes.");
    expect(page.text).toContain(`<a href="https://example.test/buy?plan=a&amp;b=1">Buy minutes</a>`);
    expect(page.text).not.toContain("/purchase/checkout");
    expect(
      (await service.request("POST", "/purchase/checkout", form({ token: key, package: "60" }))).status,
    ).toBe(404);
    expect((await service.request("GET", "/purchase/done?session_id=cs_test_1")).status).toBe(404);
    expect((await service.request("POST", "/stripe/webhook", { raw: "{}" })).status).toBe(404);
    expect(service.describe()).toContain("payments: off (the purchase page shows CLAWCALL_PURCHASE_TEXT)");
  });

  it("does not start with half a Stripe setup, naming the missing variable", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-payments-"));
    try {
      await expect(startTestService({ STRIPE_SECRET_KEY: SECRET_KEY }, { dataDir })).rejects.toThrow(
        /STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set/,
      );
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// PostgreSQL runs transactions truly in parallel (SQLite's driver takes them one at a time), so the race
// between two deliveries of one payment is tried there too.
