import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfIn, DashboardVisitor } from "../helpers/dashboard-visitor.ts";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { tokensFor } from "../helpers/oauth-flow.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const PASSWORD = "amber lantern quay";

/** Waits for a call's page to show it final (the page reads the same store as the API). */
async function finalPage(visitor: DashboardVisitor, callPath: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const page = await visitor.get(callPath);
    if (page.text.includes('id="outcome"')) return page.text;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${callPath} never showed an outcome`);
}

/** Places a call from the form and returns the call page's path. */
async function placeFromPage(visitor: DashboardVisitor, fields: Record<string, string>): Promise<string> {
  const res = await visitor.submit("/dashboard/place", "/dashboard/place", fields);
  if (res.status !== 303) throw new Error(`placing answered ${res.status}: ${res.text}`);
  return res.headers.get("location")!;
}

describe("the dashboard over HTTP", () => {
  let service: TestService;
  let alice: DashboardVisitor;
  let bob: DashboardVisitor;
  let aliceCall: string;
  beforeAll(async () => {
    const engine = new ListeningEngine({
      talkSeconds: 0.2,
      lines: [
        { role: "assistant", text: "Hello, this is an AI assistant calling for Alice." },
        { role: "user", text: "Hi, how can I help?" },
      ],
    });
    service = await startTestService(
      { CLAWCALL_TRUSTED_PROXIES: "loopback", CLAWCALL_SIGNUP_GRANT_SECONDS: "600" },
      { engine },
    );
    alice = new DashboardVisitor(service, "192.0.2.61");
    bob = new DashboardVisitor(service, "192.0.2.62");
    await alice.signUp("alice@example.test", PASSWORD);
    await bob.signUp("bob@example.test", PASSWORD);
    aliceCall = await placeFromPage(alice, {
      to: "+12125550100",
      task: "Ask about opening hours on Saturday.",
    });
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("sends a signed-out visitor to sign in, and back where they were going afterwards", async () => {
    const stranger = new DashboardVisitor(service, "192.0.2.63");
    const calls = await stranger.get("/dashboard/calls");
    expect(calls.status).toBe(303);
    expect(calls.headers.get("location")).toBe("/dashboard/sign-in?next=%2Fdashboard%2Fcalls");
    expect((await stranger.get("/dashboard")).headers.get("location")).toBe("/dashboard/sign-in");
    const page = await stranger.get("/dashboard/sign-in?next=%2Fdashboard%2Fkeys");
    const signIn = await stranger.post("/dashboard/sign-in", {
      csrf: csrfIn(page.text),
      next: "/dashboard/keys",
      email: "alice@example.test",
      password: PASSWORD,
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("location")).toBe("/dashboard/keys");
    // Never to another site.
    const elsewhere = await stranger.post("/dashboard/sign-in", {
      csrf: csrfIn(page.text),
      next: "https://evil.example/",
      email: "alice@example.test",
      password: PASSWORD,
    });
    expect(elsewhere.headers.get("location")).toBe("/dashboard/calls");
  });

  it("signs in with an HttpOnly, SameSite cookie whose id is kept only hashed", async () => {
    const carol = new DashboardVisitor(service, "192.0.2.64");
    await carol.signUp("carol@example.test", PASSWORD);
    const line = carol.lastSetCookies.find((c) => c.startsWith("clawcall_session="))!;
    expect(line).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(line).toMatch(/Max-Age=\d+/);
    const id = carol.cookies.get("clawcall_session")!;
    const file = path.join(service.dataDir, "clawcall.sqlite");
    // Recent writes sit in the write-ahead log until a checkpoint.
    const db = Buffer.concat([file, `${file}-wal`].filter(fs.existsSync).map((f) => fs.readFileSync(f)));
    expect(db.includes(id)).toBe(false);
    expect(db.includes(createHash("sha256").update(id).digest("hex"))).toBe(true);
  });

  it("refuses every form without its CSRF token, and changes nothing", async () => {
    const stranger = new DashboardVisitor(service, "192.0.2.65");
    await stranger.get("/dashboard/sign-in");
    const noToken = await stranger.post("/dashboard/sign-in", {
      email: "alice@example.test",
      password: PASSWORD,
    });
    expect(noToken.status).toBe(403);
    expect(stranger.cookies.has("clawcall_session")).toBe(false);

    const before = (await alice.get("/dashboard/calls")).text.match(/<tr><td>/g)?.length ?? 0;
    const placed = await alice.post("/dashboard/place", {
      to: "+12125550100",
      task: "Say hello.",
      csrf: "forged",
    });
    expect(placed.status).toBe(403);
    expect((await alice.get("/dashboard/calls")).text.match(/<tr><td>/g)?.length ?? 0).toBe(before);
    // Another session's token is no token for this one.
    const bobsToken = csrfIn((await bob.get("/dashboard/keys")).text);
    expect((await alice.post("/dashboard/keys", { csrf: bobsToken })).status).toBe(403);
    expect((await alice.post("/dashboard/sign-out", { csrf: bobsToken })).headers.get("location")).toBe(
      "/dashboard",
    );
    expect((await alice.get("/dashboard/calls")).status).toBe(200);
  });

  it("checks the form as the API checks POST /call, in the API's words", async () => {
    const bad = await alice.submit("/dashboard/place", "/dashboard/place", {
      to: "2125550100",
      task: "Hi there.",
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain(
      "`to` must be a US or Canada number in the form +1XXXXXXXXXX. (invalid_phone)",
    );
    expect(bad.text).toContain('value="2125550100"');
    const missing = await alice.submit("/dashboard/place", "/dashboard/place", {
      to: "+12125550100",
      task: "",
    });
    expect(missing.text).toContain("Missing required field: task. (missing_fields)");
    const emergency = await alice.submit("/dashboard/place", "/dashboard/place", {
      to: "+19115550100",
      task: "Hi.",
    });
    expect(emergency.status).toBe(400);
    const page = await alice.get("/dashboard/place");
    expect(page.text).toContain("This service runs on the sandbox");
    expect(page.text).toContain("+12125550101");
  });

  it("shows a call final with its outcome, transcript and recording; the list filters it", async () => {
    const text = await finalPage(alice, aliceCall);
    expect(text).toContain("Hi, how can I help?");
    expect(text).toMatch(/Outcome<\/dt><dd><strong>answered<\/strong>/);
    expect(text).toMatch(/<audio controls[^>]+src="http:\/\/127\.0\.0\.1:\d+\/recordings\//);
    const busy = await placeFromPage(alice, { to: "+12125550101", task: "Ask whether they are open." });
    expect(await finalPage(alice, busy)).toMatch(/Outcome<\/dt><dd><strong>busy<\/strong>/);

    const all = (await alice.get("/dashboard/calls")).text;
    const callId = (p: string) => p.split("/").at(-1)!;
    expect(all.indexOf(callId(busy))).toBeLessThan(all.indexOf(callId(aliceCall)));
    const onlyBusy = (await alice.get("/dashboard/calls?outcome=busy")).text;
    expect(onlyBusy).toContain(callId(busy));
    expect(onlyBusy).not.toContain(callId(aliceCall));
    const byNumber = (await alice.get("/dashboard/calls?number=%2B12125550100")).text;
    expect(byNumber).toContain(callId(aliceCall));
    expect(byNumber).not.toContain(callId(busy));
    const wrong = await alice.get("/dashboard/calls?number=12");
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("Enter the number as +1 then 10 digits");
    expect((await alice.get("/dashboard/calls?from=2020-13-45")).status).toBe(400);
  });

  it("shows no page, stream or key of another account", async () => {
    const id = aliceCall.split("/").at(-1)!;
    expect((await bob.get(aliceCall)).status).toBe(404);
    expect((await bob.get(`/dashboard/calls/${id}/events`)).status).toBe(404);
    expect((await bob.get("/dashboard/calls")).text).not.toContain(id);
    expect((await bob.get(`/dashboard/calls?before=${id}`)).status).toBe(400);
    // Alice's key, named by its id on Bob's revoke form, is not Bob's to revoke.
    const keys = (await alice.get("/dashboard/keys")).text;
    const aliceKeyId = /name="key_id" value="([^"]+)"/.exec(keys)![1]!;
    const bobTry = await bob.submit("/dashboard/keys", "/dashboard/keys/revoke", { key_id: aliceKeyId });
    expect(bobTry.status).toBe(404);
    expect((await alice.get("/dashboard/keys")).text).toContain(`value="${aliceKeyId}"`);
    expect((await bob.get("/dashboard/keys")).text).not.toContain(aliceKeyId);
    // Without a session the stream is refused outright.
    const stranger = new DashboardVisitor(service, "192.0.2.66");
    expect((await stranger.get(`/dashboard/calls/${id}/events`)).status).toBe(401);
  });

  it("makes a key shown once, which works until it is revoked", async () => {
    const made = await bob.submit("/dashboard/keys", "/dashboard/keys", {});
    expect(made.status).toBe(201);
    const key = /id="new-key">([^<]+)</.exec(made.text)![1]!;
    expect((await service.request("GET", "/me", { key })).status).toBe(200);
    const listed = (await bob.get("/dashboard/keys")).text;
    expect(listed).not.toContain(key);
    expect(listed).toContain(`clawcall_sk_${key.slice(12, 18)}…`);
    const keyId = /name="key_id" value="([^"]+)"/.exec(listed)![1]!;
    const revoked = await bob.submit("/dashboard/keys", "/dashboard/keys/revoke", { key_id: keyId });
    expect(revoked.status).toBe(200);
    expect((await service.request("GET", "/me", { key })).status).toBe(401);
  });

  it("places calls with a key of its own, never with an OAuth grant's newer key", async () => {
    const heidi = new DashboardVisitor(service, "192.0.2.71");
    await heidi.signUp("heidi@example.test", PASSWORD);
    const accountId = (await service.billing.accountByEmail("heidi@example.test"))!.id;
    await placeFromPage(heidi, { to: "+12125550100", task: "Say hello." });
    const [own] = await service.billing.keys.ofAccount(accountId);
    await tokensFor(service, { email: "heidi@example.test", password: PASSWORD });
    const [grantKey] = await service.billing.keys.ofAccount(accountId);
    expect(grantKey!.id).not.toBe(own!.id);
    await placeFromPage(heidi, { to: "+12125550100", task: "Say hello again." });
    const keys = await service.billing.keys.ofAccount(accountId);
    expect(keys.find((k) => k.id === grantKey!.id)?.calls).toBe(0);
    expect(keys.find((k) => k.id === own!.id)?.calls).toBe(2);
    // With its own key revoked, the dashboard makes another rather than take the grant's.
    await service.billing.keys.revoke(own!.id, new Date());
    await placeFromPage(heidi, { to: "+12125550100", task: "And once more." });
    const after = await service.billing.keys.ofAccount(accountId);
    expect(after.find((k) => k.id === grantKey!.id)?.calls).toBe(0);
    expect(after).toHaveLength(3);
    expect(after[0]!.calls).toBe(1);
  });

  it("shows the balance with a low-balance note below 120 s, and saves preferences", async () => {
    const usage = await bob.get("/dashboard/usage");
    expect(usage.text).toContain("10 min 0 s");
    expect(usage.text).not.toContain("Your balance is low");
    const dave = new DashboardVisitor(service, "192.0.2.67");
    await dave.signUp("dave@example.test", PASSWORD);
    const account = await service.billing.accountByEmail("dave@example.test");
    // What a long call would have spent, as an operator's correction would write it.
    await service.billing.ledger.append(
      { wallet: `account:${account!.id}`, delta: -500, kind: "grant" },
      new Date(),
    );
    const low = (await dave.get("/dashboard/usage")).text;
    expect(low).toContain("1 min 40 s");
    expect(low).toContain("Your balance is low");

    const saved = await bob.submit("/dashboard/preferences", "/dashboard/preferences", {
      voice: "eric",
      personality: "Calm and brief.",
    });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('<option value="eric" selected>');
    expect((await bob.get("/dashboard/preferences")).text).toContain("Calm and brief.");
    const wrong = await bob.submit("/dashboard/preferences", "/dashboard/preferences", { voice: "robot" });
    expect(wrong.status).toBe(400);
  });

  it("sends the security headers and the dashboard's policy on every page", async () => {
    for (const p of [
      "/dashboard/calls",
      aliceCall,
      "/dashboard/place",
      "/dashboard/usage",
      "/dashboard/keys",
      "/dashboard/webhooks",
    ]) {
      const res = await alice.get(p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("cache-control")).toBe("no-store");
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
    }
    const signIn = await new DashboardVisitor(service).get("/dashboard/sign-in");
    expect(signIn.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    // The other pages keep their script-free policy.
    expect((await service.request("GET", "/keys")).headers.get("content-security-policy")).not.toContain(
      "script-src",
    );
  });

  it("starts a new session at each sign-in, ending one the browser already carried", async () => {
    const grace = new DashboardVisitor(service, "192.0.2.69");
    await grace.signUp("grace@example.test", PASSWORD);
    const first = grace.cookies.get("clawcall_session")!;
    // The form is fetched signed out (signed in, the page sends the browser on to its calls) and posted
    // with the first session's cookie still on.
    grace.cookies.delete("clawcall_session");
    const form = await grace.get("/dashboard/sign-in");
    grace.cookies.set("clawcall_session", first);
    const again = await grace.post("/dashboard/sign-in", {
      csrf: csrfIn(form.text),
      email: "grace@example.test",
      password: PASSWORD,
    });
    expect(again.status).toBe(303);
    const second = grace.cookies.get("clawcall_session")!;
    expect(second).not.toBe(first);
    grace.cookies.set("clawcall_session", first);
    expect((await grace.get("/dashboard/calls")).status).toBe(303);
    grace.cookies.set("clawcall_session", second);
    expect((await grace.get("/dashboard/calls")).status).toBe(200);
  });

  it("signs out by deleting the session: the old cookie signs nobody in", async () => {
    const erin = new DashboardVisitor(service, "192.0.2.68");
    await erin.signUp("erin@example.test", PASSWORD);
    const cookie = erin.cookies.get("clawcall_session")!;
    const out = await erin.submit("/dashboard/calls", "/dashboard/sign-out", {});
    expect(out.headers.get("location")).toBe("/dashboard/sign-in");
    expect(erin.cookies.has("clawcall_session")).toBe(false);
    erin.cookies.set("clawcall_session", cookie);
    expect((await erin.get("/dashboard/calls")).status).toBe(303);
  });
});

describe("the dashboard on an https address, with short-lived recordings", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(
      {
        CLAWCALL_TRUSTED_PROXIES: "loopback",
        CLAWCALL_SIGNUP_GRANT_SECONDS: "600",
        CLAWCALL_PUBLIC_URL: "https://calls.example.test",
        CLAWCALL_RECORDING_TTL_SECONDS: "2",
      },
      { engine: new ListeningEngine({ talkSeconds: 0.2, lines: [{ role: "assistant", text: "Hello." }] }) },
    );
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("marks every cookie Secure, and drops the player once the recording's link has expired", async () => {
    const visitor = new DashboardVisitor(service, "192.0.2.70");
    await visitor.get("/dashboard/sign-up");
    expect(visitor.lastSetCookies[0]).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    await visitor.signUp("frank@example.test", PASSWORD);
    const session = visitor.lastSetCookies.find((c) => c.startsWith("clawcall_session="));
    expect(session).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Secure$/);

    const call = await placeFromPage(visitor, { to: "+12125550100", task: "Say hello." });
    const final = await finalPage(visitor, call);
    const until = /data-expires-at="([^"]+)"/.exec(final)?.[1];
    expect(final).toContain("<audio controls");
    // The recording's own origin is let in by the page's policy, and no other.
    const res = await visitor.get(call);
    expect(res.headers.get("content-security-policy")).toContain(
      "media-src 'self' https://calls.example.test;",
    );
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(until!) - Date.now()) + 100));
    const later = (await visitor.get(call)).text;
    expect(later).not.toContain("<audio");
    expect(later).toContain("The recording has expired");
  });
});
