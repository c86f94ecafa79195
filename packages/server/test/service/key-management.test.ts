import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAdmin } from "../../src/admin/admin.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

/** A form post; `client` is the address the (trusted loopback) proxy says it comes from. */
const form = (fields: Record<string, string>, client: string) => ({
  raw: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": client },
});
const CALL = { to: "+12125550101", task: "Ask whether they are open on Saturday." };
const EMAIL = "riley@example.test";
const PASSWORD = "violet kettle drum";

describe("keys their owner controls", () => {
  let service: TestService;
  let ownKey: string;
  beforeAll(async () => {
    service = await startTestService({ CLAWCALL_TRUSTED_PROXIES: "loopback" });
    ownKey = (await service.request("POST", "/call", { body: CALL })).body.api_key;
    const signup = await service.request(
      "POST",
      "/signup",
      form({ token: ownKey, email: EMAIL, password: PASSWORD, link: "yes" }, "192.0.2.10"),
    );
    expect(signup.status).toBe(201);
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("the link page names the key it would link, and links it only when the user confirms", async () => {
    // Someone else's key, sent to the victim in a link.
    const planted = (await service.request("POST", "/call", { body: CALL })).body.api_key;
    const shown = await service.request("GET", `/signin?token=${planted}`);
    expect(shown.text).toContain(`clawcall_sk_${planted.slice(12, 18)}…`);
    expect(shown.text).toMatch(/created\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC, with 1 call\(s\)/);
    expect(shown.text).toContain('name="link" value="yes"');
    expect(shown.text).not.toMatch(/name="link"[^>]*checked/);

    const signin = await service.request(
      "POST",
      "/signin",
      form({ token: planted, email: EMAIL, password: PASSWORD }, "192.0.2.11"),
    );
    expect(signin.status).toBe(200);
    expect(signin.text).toContain("was not linked");
    const me = await service.request("GET", "/me", { key: planted });
    expect(me.status).toBe(401);

    const unknown = await service.request("GET", `/signup?token=clawcall_sk_${"Z".repeat(43)}`);
    expect(unknown.text).toContain("unknown or revoked");
  });

  it("lists the account's keys after its password, and revokes one so that it answers 401 everywhere", async () => {
    const second = (await service.request("POST", "/call", { body: CALL })).body.api_key;
    await service.request(
      "POST",
      "/signin",
      form({ token: second, email: EMAIL, password: PASSWORD, link: "yes" }, "192.0.2.12"),
    );
    const call = await service.request("POST", "/call", { key: second, body: CALL });
    expect(call.status).toBe(201);

    expect(
      (
        await service.request(
          "POST",
          "/keys",
          form({ email: EMAIL, password: "not it at all" }, "192.0.2.12"),
        )
      ).status,
    ).toBe(401);
    const list = await service.request(
      "POST",
      "/keys",
      form({ email: EMAIL, password: PASSWORD }, "192.0.2.12"),
    );
    expect(list.status).toBe(200);
    for (const k of [ownKey, second]) expect(list.text).toContain(`clawcall_sk_${k.slice(12, 18)}…`);
    expect(list.text).toMatch(/2 call\(s\)/);
    expect(list.text).not.toContain(second); // the page names keys by hint only

    // The revoke button of the second key.
    const item = list.text.split("<li>").find((li) => li.includes(second.slice(12, 18))) ?? "";
    const pass = /name="pass" value="([^"]+)"/.exec(item)?.[1] ?? "";
    const keyId = /name="key_id" value="([^"]+)"/.exec(item)?.[1] ?? "";
    const forged = await service.request(
      "POST",
      "/keys/revoke",
      form({ pass: `${pass}x`, key_id: keyId }, "192.0.2.12"),
    );
    expect(forged.status).toBe(401);
    const revoked = await service.request(
      "POST",
      "/keys/revoke",
      form({ pass, key_id: keyId }, "192.0.2.12"),
    );
    expect(revoked.status).toBe(200);
    expect(revoked.text).toContain("is revoked");

    for (const [method, url] of [
      ["GET", "/balance"],
      ["GET", "/me"],
      ["GET", "/calls"],
      ["GET", `/call/${call.body.call_id}`],
      ["GET", `/call/${call.body.call_id}/events`],
      ["POST", `/call/${call.body.call_id}/hangup`],
    ] as const) {
      const res = await service.request(method, url, { key: second });
      expect(res.status, url).toBe(401);
      expect(res.body.error.code, url).toBe("invalid_api_key");
    }
    const placed = await service.request("POST", "/call", { key: second, body: CALL });
    expect(placed.body.error.code).toBe("invalid_api_key");
    // The other key keeps working.
    expect((await service.request("GET", "/me", { key: ownKey })).status).toBe(200);
  });

  it("the admin command lists and revokes an account's keys", async () => {
    const env = { CLAWCALL_DATA_DIR: service.dataDir, CLAWCALL_LOG_LEVEL: "silent" };
    const out: string[] = [];
    expect(await runAdmin(["keys", "--email", EMAIL], env, (l) => out.push(l))).toBe(0);
    const hint = ownKey.slice(12, 18);
    expect(out.some((l) => l.startsWith(`${hint}…`) && !l.includes("revoked"))).toBe(true);
    expect(out.join("\n")).not.toContain(ownKey);
    // A hint may start with a dash (keys are base64url), which only the `--key=` form passes.
    expect(await runAdmin(["revoke-key", "--email", EMAIL, `--key=${hint}`], env, (l) => out.push(l))).toBe(
      0,
    );
    expect((await service.request("GET", "/balance", { key: ownKey })).status).toBe(401);
    expect(await runAdmin(["revoke-key", "--email", EMAIL, "--key", "nope"], env, () => {})).toBe(1);
  });
});
