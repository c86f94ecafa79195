import { AccountPhoneViewSchema, PhoneVerificationStartedSchema } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnsweredCall, ConversationEngine, ConversationResult } from "../../src/calls/conversation.ts";
import { REAL_TIME } from "../helpers/real-time.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

/** A stand-in agent that asks for the handoff as soon as the call is answered. */
class HandoffAtOnce implements ConversationEngine {
  unavailableReason(): string | null {
    return null;
  }
  async run(call: AnsweredCall): Promise<ConversationResult> {
    call.media.attach({ onAudio: () => {} });
    const result = await call.bridge();
    if (!result.ok) await call.hangup();
    return { endReason: result.ok ? "handed off" : "handoff failed" };
  }
}

/**
 * The 0118 line types the code shown for its number, so tests running at once each verify their own
 * number (another area code) and never read another test's code.
 */
const owner = (area: number) => `+1${area}5550118`;
const OWNER = owner(312);
const WRONG_CODE_OWNER = "+13125550119";
const TASK = "Confirm Jordan Lee's appointment, then connect me.";
const WARM = "Jordan, the dental office is on the line about Tuesday.";

describe.concurrent(
  "the account's own phone: verified by a call, then the target of loop_in_user",
  REAL_TIME,
  () => {
    let service: TestService;
    let accounts = 0;
    beforeAll(async () => {
      service = await startTestService({ CLAWCALL_SANDBOX_POOL_SIZE: "12" }, { engine: new HandoffAtOnce() });
    });
    afterAll(() => service.dispose());

    /** A key linked to a new account with some time on it. */
    async function accountKey(): Promise<string> {
      const now = new Date();
      const account = await service.billing.createAccount(
        `owner${++accounts}@example.test`,
        "a long passphrase",
        now,
      );
      if (account === "email_taken") throw new Error("account not made");
      const minted = await service.billing.mintKey(now);
      await service.billing.linkKey(minted.record, account, now);
      await service.billing.credit(account.id, 600, "grant", "test", now);
      return minted.key;
    }

    /** Starts verifying `phone` and waits for its call to end; returns the code shown and the final view. */
    async function verify(key: string, phone: string) {
      const started = await service.request("POST", "/me/phone", { key, body: { phone } });
      expect(started.status, started.text).toBe(202);
      const body = PhoneVerificationStartedSchema.parse(started.body);
      expect(body.phone).toMatchObject({ phone, status: "calling" });
      expect(body.code).toMatch(/^\d{6}$/);
      for (let i = 0; i < 600; i++) {
        const view = AccountPhoneViewSchema.parse((await service.request("GET", "/me/phone", { key })).body);
        if (view.phone?.status !== "calling") return { code: body.code, view };
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the verification call never ended");
    }

    const place = (key: string, extra: Record<string, unknown>) =>
      service.request("POST", "/call", { key, body: { to: "+12125550100", task: TASK, ...extra } });

    it("verifies the phone whose owner types the code, then hands a loop_in_user call to it with the warm greeting", async () => {
      const key = await accountKey();
      const balance = async () => (await service.request("GET", "/balance", { key })).body.balance_seconds;
      const before = await balance();
      const { view } = await verify(key, OWNER);
      expect(view.phone).toMatchObject({ phone: OWNER, status: "verified", last_error: null });
      // The verification call is the service's: nothing of it is charged to the account.
      expect(await balance()).toBe(before);
      expect(Date.parse(view.phone!.verified_at!)).not.toBeNaN();

      const created = await place(key, {
        loop_in_user: true,
        warm_greeting: WARM,
        bridge_number: "+13125550117",
      });
      expect(created.status, created.text).toBe(201);
      const { call } = await pollUntilFinal(service, key, created.body.call_id, { timeoutMs: 60_000 });
      expect(call.handoff).toMatchObject({ status: "connected" });
      expect(call.outcome_detail.reason.code).toBe("handoff_completed");
      // The user heard the warm greeting as they picked up, before being joined with the desk.
      expect(call._meta.sandbox.bridged.actions).toContainEqual({ action: "greeted", heard: WARM });
      expect(call._meta.sandbox.bridged.actions).toContainEqual({
        action: "talked",
        heard: expect.any(String),
      });
      expect(call.transcript).toContainEqual(
        expect.objectContaining({ role: "system", text: expect.stringContaining(WARM) }),
      );
    }, 90_000);

    it("does not verify a phone where the wrong code is typed, and loop_in_user stays refused", async () => {
      const key = await accountKey();
      const { view } = await verify(key, WRONG_CODE_OWNER);
      expect(view.phone).toMatchObject({
        phone: WRONG_CODE_OWNER,
        status: "failed",
        last_error: "wrong_code",
      });
      const refused = await place(key, { loop_in_user: true });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe("account_phone_unavailable");
    }, 60_000);

    it("does not verify a phone nobody types a code on", async () => {
      const key = await accountKey();
      const { view } = await verify(key, "+13125550102");
      expect(view.phone).toMatchObject({ status: "failed", last_error: "not_answered" });
    }, 60_000);

    it("keeps each account's phone its own: another account neither sees it nor hands off to it", async () => {
      const ownerKey = await accountKey();
      expect((await verify(ownerKey, owner(415))).view.phone?.status).toBe("verified");
      const other = await accountKey();
      const seen = await service.request("GET", "/me/phone", { key: other });
      expect(seen.status).toBe(200);
      expect(seen.body.phone).toBeNull();
      const refused = await place(other, { loop_in_user: true });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe("account_phone_unavailable");
      // Removing one's own phone leaves it unverified for loop_in_user.
      expect((await service.request("DELETE", "/me/phone", { key: ownerKey })).body.phone).toBeNull();
      expect((await place(ownerKey, { loop_in_user: true })).body.error.code).toBe(
        "account_phone_unavailable",
      );
    }, 60_000);

    it("refuses loop_in_user that is not a boolean, or whose phone is the number called", async () => {
      const key = await accountKey();
      const bad = await place(key, { loop_in_user: "true" });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("invalid_loop_in_user");
      expect((await verify(key, owner(646))).view.phone?.status).toBe("verified");
      const self = await service.request("POST", "/call", {
        key,
        body: { to: owner(646), task: TASK, loop_in_user: true },
      });
      expect(self.status).toBe(400);
      expect(self.body.error.code).toBe("invalid_loop_in_destination");
    }, 60_000);

    it("validates the phone, needs an account, and limits verification calls per account", async () => {
      const unlinked = (await service.request("POST", "/call", { body: { to: "+12125550101", task: "x" } }))
        .body.api_key;
      const noAccount = await service.request("POST", "/me/phone", { key: unlinked, body: { phone: OWNER } });
      expect(noAccount.status).toBe(401);
      expect(noAccount.body.error.code).toBe("auth_required");
      expect((await service.request("GET", "/me/phone", { key: unlinked })).status).toBe(401);
      const noLink = await place(unlinked, { loop_in_user: true });
      expect(noLink.body.error.code).toBe("account_phone_unavailable");

      const key = await accountKey();
      const post = (body: unknown) => service.request("POST", "/me/phone", { key, body });
      expect((await post({})).body.error.code).toBe("missing_fields");
      expect((await post({ phone: "3125550118" })).body.error.code).toBe("invalid_phone");
      expect((await post({ phone: "+19115550100" })).body.error.code).toBe("unsupported_destination");
      expect((await post({ phone: "+19005550100" })).body.error.code).toBe("unsupported_destination");
      expect((await post({ phone: OWNER, extra: 1 })).body.error.code).toBe("invalid_request");
      expect((await service.request("POST", "/me/phone", { key, raw: "{" })).body.error.code).toBe(
        "invalid_json",
      );
      // Three calls an hour (to a busy line, so each ends at once), then 429.
      for (let i = 0; i < 3; i++) expect((await post({ phone: "+13125550101" })).status).toBe(202);
      const limited = await post({ phone: "+13125550101" });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    }, 60_000);

    it("is described in /openapi.json", async () => {
      const doc = (await service.request("GET", "/openapi.json")).body;
      expect(Object.keys(doc.paths["/me/phone"]).sort()).toEqual(["delete", "get", "post"]);
      expect(doc.paths["/me/phone"].post.responses["202"].content["application/json"].schema.$ref).toBe(
        "#/components/schemas/PhoneVerificationStarted",
      );
      expect(doc.components.schemas.AccountPhoneInput.required).toEqual(["phone"]);
      expect(doc.paths["/call"].post.responses["400"].description).toContain("invalid_loop_in_destination");
    });
  },
);
