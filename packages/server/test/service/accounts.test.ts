import { MeSchema } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAdmin } from "../../src/admin/admin.ts";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

/** A form post; `client` is the address the (trusted loopback) proxy says it comes from. */
const form = (fields: Record<string, string>, client = "192.0.2.1") => ({
  raw: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": client },
});

describe("accounts: sign-up, sign-in, purchase page, /me and operator grants", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(
      {
        CLAWCALL_FREE_SECONDS: "1",
        CLAWCALL_PURCHASE_TEXT: "Write to sales@example.test for minutes.",
        // Account pages are limited per client; each test posts as its own client through a proxy.
        CLAWCALL_TRUSTED_PROXIES: "loopback",
      },
      { engine: new ListeningEngine({ talkSeconds: 1.5 }) },
    );
  });
  afterAll(() => service.dispose());

  it("takes a used-up free key through sign-up, an operator grant, and back to calling", async () => {
    const first = await service.request("POST", "/call", { body: { to: "+12125550100", task: "Say hi." } });
    const key = first.body.api_key;
    await pollUntilFinal(service, key, first.body.call_id);
    const refused = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550100", task: "Say hi." },
    });
    expect(refused.body.error.code).toBe("quota_exceeded");

    // The sign-up page behind action.url is a real form that carries the key.
    const url = new URL(refused.body.error.action.url);
    const signupPage = await service.request("GET", url.pathname + url.search);
    expect(signupPage.status).toBe(200);
    expect(signupPage.text).toContain(`name="token" value="${key}"`);

    const signup = await service.request(
      "POST",
      "/signup",
      form({ token: key, email: "Jordan@Example.test", password: "correct horse", link: "yes" }),
    );
    expect(signup.status).toBe(201);
    expect(signup.text).toContain("linked to this account");
    // Nothing to call with yet: the page says how to get time instead of sending the user back to retry.
    expect(signup.text).toContain("no call time yet");
    expect(signup.text).not.toContain("Go back to your assistant and retry");
    expect(signup.text).toContain("Buy call time");

    const me = MeSchema.parse((await service.request("GET", "/me", { key })).body);
    expect(me).toMatchObject({ email: "jordan@example.test", balance_seconds: 0, api_key: key });

    // Linked with no purchased time: balance_depleted, pointing at the purchase page.
    const depleted = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550100", task: "Say hi." },
    });
    expect(depleted.status).toBe(429);
    expect(depleted.body.error.code).toBe("balance_depleted");
    const purchase = new URL(depleted.body.error.action.url);
    expect(purchase.pathname).toBe("/purchase");
    const page = await service.request("GET", purchase.pathname + purchase.search);
    expect(page.text).toContain("jordan@example.test");
    expect(page.text).toContain("Write to sales@example.test for minutes.");

    const lines: string[] = [];
    const env = { CLAWCALL_DATA_DIR: service.dataDir, CLAWCALL_LOG_LEVEL: "silent" };
    expect(
      await runAdmin(["grant", "--email", "jordan@example.test", "--minutes", "5"], env, (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    expect(lines.join("\n")).toMatch(/Granted 5 min/);

    const balance = (await service.request("GET", "/balance", { key })).body;
    expect(balance).toMatchObject({ balance_seconds: 300, tier: "paid", low_balance: false });
    const again = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550101", task: "Say hi." },
    });
    expect(again.status).toBe(201);
  });

  it("a second key signed in to the same account shares its balance and its calls", async () => {
    const other = await service.request("POST", "/call", { body: { to: "+12125550104", task: "x" } });
    const key2 = other.body.api_key;
    const wrong = await service.request(
      "POST",
      "/signin",
      form({ token: key2, email: "jordan@example.test", password: "wrong password" }),
    );
    expect(wrong.status).toBe(401);
    const signin = await service.request(
      "POST",
      "/signin",
      form({ token: key2, email: "jordan@example.test", password: "correct horse", link: "yes" }),
    );
    expect(signin.status).toBe(200);
    expect(signin.text).toContain("all set");
    expect(signin.text).toContain("Go back to your assistant and retry the call.");
    const me = (await service.request("GET", "/me", { key: key2 })).body;
    expect(me.email).toBe("jordan@example.test");
    const list = (await service.request("GET", "/calls?limit=100", { key: key2 })).body.calls;
    expect(list.length).toBeGreaterThanOrEqual(3);
    const firstKeyCall = list.at(-1).id;
    expect((await service.request("GET", `/call/${firstKeyCall}`, { key: key2 })).status).toBe(200);
  });

  it("signing up with a taken address is a sign-in: it never says the address is taken", async () => {
    const dup = await service.request(
      "POST",
      "/signup",
      form({ email: "jordan@example.test", password: "another one" }, "192.0.2.2"),
    );
    expect(dup.status).toBe(401);
    expect(dup.text).toContain("Wrong email or password.");
    expect(dup.text).not.toMatch(/exists|taken/i);
    const again = await service.request(
      "POST",
      "/signup",
      form({ email: "jordan@example.test", password: "correct horse" }, "192.0.2.2"),
    );
    expect(again.status).toBe(201);
    expect(again.text).toContain("Account balance");
  });

  it("refuses bad form input, short and common passwords with a plain page", async () => {
    const bad = await service.request(
      "POST",
      "/signup",
      form({ email: "not-an-email", password: "longenough" }, "192.0.2.3"),
    );
    expect(bad.status).toBe(400);
    for (const password of ["short", "12345678", "password", "        ", "1234567890", "Password123"]) {
      const res = await service.request(
        "POST",
        "/signup",
        form({ email: "a@b.test", password }, "192.0.2.3"),
      );
      expect(res.status, password).toBe(400);
      expect(res.text, password).toMatch(/10 to 200|most common/);
    }
    expect(await service.billing.accountByEmail("a@b.test")).toBeUndefined();
  });

  it("makes an email wait longer after each failed sign-in past five, whether or not it has an account", async () => {
    for (const email of ["jordan@example.test", "nobody-here@example.test"]) {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await service.request(
          "POST",
          "/signin",
          form({ email, password: `guess number ${i}` }, "192.0.2.4"),
        );
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
      // Even the right password waits its turn.
      if (email === "jordan@example.test") {
        const right = await service.request(
          "POST",
          "/signin",
          form({ email, password: "correct horse" }, "192.0.2.5"),
        );
        expect(right.status).toBe(429);
        expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
      }
    }
  });

  it("the admin command creates accounts and reports balances", async () => {
    const env = { CLAWCALL_DATA_DIR: service.dataDir, CLAWCALL_LOG_LEVEL: "silent" };
    const out: string[] = [];
    expect(
      await runAdmin(
        ["create-account", "--email", "ops@example.test", "--password", "operator-pass"],
        env,
        (l) => out.push(l),
      ),
    ).toBe(0);
    expect(
      await runAdmin(
        ["create-account", "--email", "ops@example.test", "--password", "operator-pass"],
        env,
        (l) => out.push(l),
      ),
    ).toBe(1);
    expect(await runAdmin(["balance", "--email", "ops@example.test"], env, (l) => out.push(l))).toBe(0);
    expect(out.at(-1)).toMatch(/ops@example.test: 0 s/);
    expect(await runAdmin(["grant", "--email", "nobody@example.test", "--minutes", "1"], env, () => {})).toBe(
      1,
    );
    expect(await runAdmin(["grant", "--email", "ops@example.test", "--minutes", "-1"], env, () => {})).toBe(
      2,
    );
  });
});
