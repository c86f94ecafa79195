import { BalanceSchema, CallViewSchema, HangupResultSchema, MeSchema } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAdmin } from "../../src/admin/admin.ts";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

const form = (fields: Record<string, string>, client: string) => ({
  raw: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": client },
});

/** What a client of the later revision reads, served beside the seed's fields. */
describe("both revisions' shapes: tier, entitlement fields, /me spellings, hang-up, sign-in paths", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(
      { CLAWCALL_TRUSTED_PROXIES: "loopback" },
      { engine: new ListeningEngine({ talkSeconds: 0.3, lines: [{ role: "assistant", text: "Hello." }] }) },
    );
  });
  afterAll(() => service.dispose());

  const mint = async () => {
    const res = await service.request("POST", "/call", { body: { to: "+12125550100", task: "Say hello." } });
    expect(res.status).toBe(201);
    return { key: res.body.api_key as string, callId: res.body.call_id as string };
  };

  it("reports a free key's tier in a header and a trial view, and keeps the seed's api_key in /balance", async () => {
    const { key, callId } = await mint();
    const res = await service.request("GET", "/balance", { key });
    expect(res.headers.get("x-clawcall-tier")).toBe("free");
    const balance = BalanceSchema.parse(res.body);
    expect(balance).toMatchObject({ tier: "free", unlimited: false, plan: null, api_key: key });
    expect(balance.trial).toEqual({
      allowed: true,
      remainingSeconds: balance.balance_seconds,
      remainingCalls: null,
    });

    const { call } = await pollUntilFinal(service, key, callId);
    const view = CallViewSchema.parse(call);
    expect(view._meta).toMatchObject({ unlimited: false, plan: null, trial: { allowed: true } });
    // An answered call that ended normally, in the later revision's words.
    expect(view).toMatchObject({ outcome: "answered", handling_mode: "agent" });
    expect(view.outcome_detail).toMatchObject({
      hangup_cause: "normal_clearing",
      provider_error_code: null,
      reason: { code: "answered" },
    });
    const polled = await service.request("GET", `/call/${callId}`, { key });
    expect(polled.headers.get("x-clawcall-tier")).toBe("free");
  });

  it("keeps an account that signed up and bought nothing free, and makes it paid once time is granted", async () => {
    const { key } = await mint();
    const client = "192.0.2.21";
    const signup = await service.request(
      "POST",
      "/sign-up",
      form(
        { token: key, email: "casey@example.test", password: "correct horse battery", link: "yes" },
        client,
      ),
    );
    expect(signup.status).toBe(201);
    const res = await service.request("GET", "/me", { key });
    expect(res.headers.get("x-clawcall-tier")).toBe("free");
    const me = MeSchema.parse(res.body);
    expect(me.userId).toBe(me.user_id);
    expect(me.balanceSeconds).toBe(me.balance_seconds);
    expect(me).toMatchObject({ email: "casey@example.test", tier: "free", unlimited: false, plan: null });
    expect(me.trial?.remainingSeconds).toBe(me.balance_seconds);

    const env = { CLAWCALL_DATA_DIR: service.dataDir, CLAWCALL_LOG_LEVEL: "silent" };
    expect(await runAdmin(["grant", "--email", "casey@example.test", "--minutes", "5"], env, () => {})).toBe(
      0,
    );
    const paid = await service.request("GET", "/balance", { key });
    expect(paid.headers.get("x-clawcall-tier")).toBe("paid");
    expect(paid.body).toMatchObject({ tier: "paid", trial: null, unlimited: false });
    expect((await service.request("GET", "/me", { key })).body).toMatchObject({ tier: "paid", trial: null });
  });

  it("says success on a hang-up, the first time and when the call had already ended", async () => {
    const { key, callId } = await mint();
    const first = await service.request("POST", `/call/${callId}/hangup`, { key });
    expect(first.status).toBe(200);
    expect(HangupResultSchema.parse(first.body)).toMatchObject({ success: true, call_id: callId });
    await pollUntilFinal(service, key, callId);
    const again = await service.request("POST", `/call/${callId}/hangup`, { key });
    expect(again.body).toMatchObject({ success: true, message: "The call had already ended." });
  });

  it.each([
    ["null", null],
    ["a string", "yes"],
    ["a number", 1],
  ])("refuses loop_in_user given as %s with invalid_loop_in_user, placing nothing", async (_name, value) => {
    const { key } = await mint();
    const before = (await service.request("GET", "/me/calls", { key })).body.calls.length;
    const res = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550100", task: "Say hello.", loop_in_user: value },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_loop_in_user");
    expect((await service.request("GET", "/me/calls", { key })).body.calls).toHaveLength(before);
  });

  it("refuses loop_in_user: true with account_phone_unavailable, minting no key", async () => {
    const res = await service.request("POST", "/call", {
      body: { to: "+12125550100", task: "Say hello.", loop_in_user: true, warm_greeting: "They're here." },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("account_phone_unavailable");
    expect(res.headers.get("x-clawcall-api-key")).toBeNull();
  });

  it("documents the loop-in fields and their refusals in /openapi.json", async () => {
    const doc = (await service.request("GET", "/openapi.json")).body;
    expect(doc.components.schemas.CallRequest.properties.loop_in_user.type).toBe("boolean");
    expect(doc.paths["/call"].post.responses["422"].description).toContain("account_phone_unavailable");
    expect(doc.paths["/call"].post.responses["400"].description).toContain("invalid_loop_in_user");
  });

  it("places the call with loop_in_user: false, leaving out any bridge_number", async () => {
    const { key } = await mint();
    const res = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550100", task: "Say hello.", loop_in_user: false, bridge_number: "+13125550100" },
    });
    expect(res.status).toBe(201);
    // The stored call says whether the agent was given a number to hand off to.
    expect((await service.calls.get(res.body.call_id))?.has_bridge).toBe(0);
    const kept = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550100", task: "Say hello.", bridge_number: "+13125550100" },
    });
    expect((await service.calls.get(kept.body.call_id))?.has_bridge).toBe(1);
    await pollUntilFinal(service, key, res.body.call_id);
    await pollUntilFinal(service, key, kept.body.call_id);
  });

  it("serves the account pages at /sign-in and /sign-up as well as /signin and /signup", async () => {
    const { key } = await mint();
    for (const path of ["/sign-in", "/sign-up", "/signin", "/signup"]) {
      const page = await service.request("GET", `${path}?token=${encodeURIComponent(key)}`);
      expect(page.status, path).toBe(200);
      expect(page.text, path).toContain(`name="token" value="${key}"`);
    }
    const wrong = await service.request(
      "POST",
      "/sign-in",
      form({ token: key, email: "nobody@example.test", password: "not the password" }, "192.0.2.22"),
    );
    expect(wrong.status).toBe(401);
  });
});
