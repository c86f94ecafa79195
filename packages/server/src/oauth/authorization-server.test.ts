import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL } from "../../test/helpers/external-services.ts";
import { describeWith, POSTGRES } from "../../test/helpers/prerequisites.ts";
import { Billing } from "../billing/billing.ts";
import { type Db, openDatabase } from "../store/database.ts";
import { AuthorizationServer, type AuthorizeRequest, redirectUriProblem } from "./authorization-server.ts";
import { pkceMatches } from "./secrets.ts";

const VERIFIER = `${"a".repeat(20)}-._~${"Z9".repeat(10)}`;
/** RFC 7636's S256: what a client sends as the challenge for its verifier. */
const challengeOf = (v: string) => createHash("sha256").update(v).digest("base64url");

/** The same checks over SQLite and PostgreSQL: the store's SQL (deletes that return rows) must hold on both. */
function suite(open: () => Promise<{ db: Db; close(): Promise<void> }>) {
  let now = Date.parse("2026-11-30T09:00:00Z");
  const opened: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const o of opened) await o.close();
  });

  async function setup() {
    const o = await open();
    opened.push(o);
    const billing = new Billing(o.db, {
      freeSeconds: 60,
      signupGrantSeconds: 0,
      purchaseText: "",
      purchaseUrl: undefined,
    });
    const account = await billing.createAccount("oauth@example.test", "pelican orbit thirty", new Date(now));
    if (account === "email_taken") throw new Error("fresh database expected");
    const server = new AuthorizationServer(o.db, billing, () => new Date(now));
    const registered = await server.registerClient({ redirect_uris: ["http://127.0.0.1:9/cb"] });
    if (!registered.ok) throw new Error(registered.description);
    const request: AuthorizeRequest = {
      client: registered.client,
      redirect_uri: "http://127.0.0.1:9/cb",
      code_challenge: challengeOf(VERIFIER),
      state: null,
      scope: "calls",
    };
    return { db: o.db, billing, account, server, request, clientId: registered.client.client_id };
  }
  const exchange = (server: AuthorizationServer, clientId: string, code: string, verifier = VERIFIER) =>
    server.exchangeCode(new URLSearchParams({ code, code_verifier: verifier, client_id: clientId }));

  it("issues tokens bound to a key of the account, stored only hashed", async () => {
    const { db, billing, account, server, request, clientId } = await setup();
    const code = await server.issueCode(request, account.id);
    const tokens = await exchange(server, clientId, code);
    if (!tokens.ok) throw new Error(tokens.description);
    const key = await server.apiKeyFor(tokens.access_token);
    const record = key ? await billing.keys.find(key) : null;
    expect(record?.account_id).toBe(account.id);
    // No free allowance comes with a grant's key: authorizing again never adds time.
    expect(await billing.balanceOf(record!)).toBe(0);
    const stored = JSON.stringify([
      await db.selectFrom("oauth_tokens").selectAll().execute(),
      await db.selectFrom("oauth_grants").selectAll().execute(),
    ]);
    for (const secret of [tokens.access_token, tokens.refresh_token, key!])
      expect(stored).not.toContain(secret);
    // The grant's key is named as one, for this account only, and stays named once the grant is revoked.
    expect([...(await server.grantKeyIds(account.id))]).toEqual([record!.id]);
    expect((await server.grantKeyIds("another-account")).size).toBe(0);
    await server.revoke(tokens.refresh_token, clientId);
    expect([...(await server.grantKeyIds(account.id))]).toEqual([record!.id]);
  });

  it("spends a code once, ends the grant of a code used twice, refuses it after 60 s and a wrong verifier", async () => {
    const { account, server, request, clientId } = await setup();
    const code = await server.issueCode(request, account.id);
    expect((await exchange(server, clientId, code, `${VERIFIER}x`)).ok).toBe(false);
    expect((await exchange(server, clientId, code)).ok).toBe(false);
    // A code that worked once and is presented again: whatever the first use got is ended.
    const good = await server.issueCode(request, account.id);
    const tokens = await exchange(server, clientId, good);
    if (!tokens.ok) throw new Error(tokens.description);
    expect(await server.apiKeyFor(tokens.access_token)).not.toBeNull();
    expect(await exchange(server, clientId, good)).toMatchObject({ ok: false, error: "invalid_grant" });
    expect(await server.apiKeyFor(tokens.access_token)).toBeNull();
    const late = await server.issueCode(request, account.id);
    now += 61_000;
    expect(await exchange(server, clientId, late)).toMatchObject({ ok: false, error: "invalid_grant" });
  });

  it("rotates refresh tokens, expires access tokens after an hour, and revocation ends the grant and its key", async () => {
    const { billing, account, server, request, clientId } = await setup();
    const first = await exchange(server, clientId, await server.issueCode(request, account.id));
    if (!first.ok) throw new Error(first.description);
    const key = await server.apiKeyFor(first.access_token);
    const refresh = (token: string) =>
      server.refresh(new URLSearchParams({ refresh_token: token, client_id: clientId }));
    const second = await refresh(first.refresh_token);
    if (!second.ok) throw new Error(second.description);
    expect(await server.apiKeyFor(second.access_token)).toBe(key);
    expect(await server.apiKeyFor(first.access_token)).toBeNull();
    expect((await refresh(first.refresh_token)).ok).toBe(false);
    now += 3_601_000;
    expect(await server.apiKeyFor(second.access_token)).toBeNull();
    const third = await refresh(second.refresh_token);
    if (!third.ok) throw new Error(third.description);
    await server.revoke(third.refresh_token, "someone-else");
    expect(await server.apiKeyFor(third.access_token)).toBe(key);
    await server.revoke(third.refresh_token, clientId);
    expect(await server.apiKeyFor(third.access_token)).toBeNull();
    expect(await billing.keys.find(key!)).toBeNull();
  });
}

describe("AuthorizationServer on SQLite", () => {
  suite(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-oauth-"));
    const db = await openDatabase({ database: { kind: "sqlite", file: path.join(dir, "db.sqlite") } });
    return {
      db,
      async close() {
        await db.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

describeWith(POSTGRES, "AuthorizationServer on PostgreSQL", () => {
  suite(async () => {
    const fresh = await freshDatabase(POSTGRES_URL!);
    const db = await openDatabase({ database: { kind: "postgres", url: fresh.url } });
    return {
      db,
      async close() {
        await db.destroy();
        await fresh.drop();
      },
    };
  });
});

describe("what the authorization server accepts", () => {
  it("takes https and loopback http redirect URIs only", () => {
    expect(redirectUriProblem("https://assistant.example.test/cb")).toBeNull();
    expect(redirectUriProblem("http://127.0.0.1:5000/cb")).toBeNull();
    expect(redirectUriProblem("http://[::1]:5000/cb")).toBeNull();
    expect(redirectUriProblem("http://localhost/cb")).toBeNull();
    for (const bad of [
      "http://192.168.1.2/cb",
      "custom-app:/cb",
      "https://u:p@example.test/",
      "https://x.test/#f",
      7,
    ])
      expect(redirectUriProblem(bad)).not.toBeNull();
  });

  it("matches S256 verifiers only of the allowed length and alphabet", () => {
    expect(pkceMatches(VERIFIER, challengeOf(VERIFIER))).toBe(true);
    expect(pkceMatches("short", challengeOf("short"))).toBe(false);
    expect(pkceMatches(`${VERIFIER}!`, challengeOf(`${VERIFIER}!`))).toBe(false);
  });
});
