// Room oauth/: OAuth 2.1 for remote MCP clients: self-registered public clients, authorization codes with
// PKCE (S256), access and refresh tokens bound to an account, all kept hashed.
import { randomUUID } from "node:crypto";
import type { Billing } from "../billing/billing.ts";
import type { Db } from "../store/database.ts";
import { type OAuthClient, OAuthStore } from "./oauth-store.ts";
import {
  ACCESS_TOKEN_PREFIX,
  CLIENT_ID_PREFIX,
  CODE_PREFIX,
  isS256Challenge,
  newSecret,
  openWith,
  pkceMatches,
  REFRESH_TOKEN_PREFIX,
  sealUnder,
  sha256,
} from "./secrets.ts";

export type { OAuthClient } from "./oauth-store.ts";

/** The one scope: everything the MCP tools do for the account. */
export const SCOPE = "calls";
export const CODE_SECONDS = 60;
export const ACCESS_TOKEN_SECONDS = 3600;
export const REFRESH_TOKEN_SECONDS = 30 * 86400;

/** An OAuth error as RFC 6749 names it (`invalid_grant`, …), with a sentence for people. */
export interface OAuthError {
  ok: false;
  error: string;
  description: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** A checked authorization request, ready for the consent page. */
export interface AuthorizeRequest {
  client: OAuthClient;
  redirect_uri: string;
  code_challenge: string;
  state: string | null;
  scope: string;
}

const fail = (error: string, description: string): OAuthError => ({ ok: false, error, description });

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** https anywhere, or http to this machine (native apps catch the redirect on a loopback port). */
export function redirectUriProblem(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 2000) return "must be a URL of at most 2000 characters";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL";
  }
  if (url.hash) return "must not have a fragment";
  if (url.username || url.password) return "must not carry credentials";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return "must be https, or http to a loopback address (127.0.0.1, [::1], localhost)";
}

export class AuthorizationServer {
  private readonly store: OAuthStore;

  constructor(
    db: Db,
    private readonly billing: Billing,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.store = new OAuthStore(db);
  }

  /** RFC 7591 dynamic registration of a public client. */
  async registerClient(body: unknown): Promise<{ ok: true; client: OAuthClient } | OAuthError> {
    if (typeof body !== "object" || body === null || Array.isArray(body))
      return fail("invalid_client_metadata", "Send the client metadata as a JSON object.");
    const meta = body as Record<string, unknown>;
    const uris = meta["redirect_uris"];
    if (!Array.isArray(uris) || uris.length === 0 || uris.length > 10)
      return fail("invalid_redirect_uri", "`redirect_uris` must list 1 to 10 redirect URIs.");
    for (const uri of uris) {
      const problem = redirectUriProblem(uri);
      if (problem) return fail("invalid_redirect_uri", `Redirect URI ${JSON.stringify(uri)} ${problem}.`);
    }
    const name = meta["client_name"];
    if (name !== undefined && (typeof name !== "string" || name.length > 100))
      return fail("invalid_client_metadata", "`client_name` must be text of at most 100 characters.");
    const grants = meta["grant_types"];
    if (
      grants !== undefined &&
      (!Array.isArray(grants) || grants.some((g) => g !== "authorization_code" && g !== "refresh_token"))
    )
      return fail(
        "invalid_client_metadata",
        "`grant_types` may hold only authorization_code and refresh_token.",
      );
    const responses = meta["response_types"];
    if (responses !== undefined && (!Array.isArray(responses) || responses.some((r) => r !== "code")))
      return fail("invalid_client_metadata", "`response_types` may hold only code.");
    const client: OAuthClient = {
      client_id: newSecret(CLIENT_ID_PREFIX).slice(0, CLIENT_ID_PREFIX.length + 22),
      client_name: typeof name === "string" && name.trim() ? name.trim() : null,
      redirect_uris: uris as string[],
      created_at: this.now().toISOString(),
    };
    await this.store.insertClient(client);
    return { ok: true, client };
  }

  /**
   * Checks `GET /oauth/authorize`'s parameters. `redirect: false` errors are shown on the page: the
   * client or its redirect URI is unknown, so sending the browser there could be an open redirect.
   */
  async checkAuthorizeRequest(
    q: URLSearchParams,
    resources: readonly string[],
  ): Promise<
    | { ok: true; request: AuthorizeRequest }
    | (OAuthError & { redirect: false })
    | (OAuthError & { redirect: true; redirect_uri: string; state: string | null })
  > {
    const client = await this.store.client(q.get("client_id") ?? "");
    if (!client)
      return { ...fail("invalid_client", "This application is not registered here."), redirect: false };
    const asked = q.get("redirect_uri");
    const redirectUri = asked ?? (client.redirect_uris.length === 1 ? client.redirect_uris[0]! : null);
    if (!redirectUri || !client.redirect_uris.includes(redirectUri))
      return {
        ...fail("invalid_request", "The redirect URI is not one this application registered."),
        redirect: false,
      };
    const state = q.get("state");
    const back = (error: string, description: string) => ({
      ...fail(error, description),
      redirect: true as const,
      redirect_uri: redirectUri,
      state,
    });
    if (q.get("response_type") !== "code")
      return back("unsupported_response_type", "Only response_type=code is supported.");
    const challenge = q.get("code_challenge") ?? "";
    if (q.get("code_challenge_method") !== "S256" || !isS256Challenge(challenge))
      return back("invalid_request", "PKCE is required: send an S256 code_challenge.");
    const scope = q.get("scope");
    if (scope?.split(" ").some((s) => s !== SCOPE))
      return back("invalid_scope", `The only scope is "${SCOPE}".`);
    const resource = q.get("resource");
    if (resource !== null && !resources.includes(resource.replace(/\/$/, "")))
      return back("invalid_target", "The resource is not this service's MCP endpoint.");
    return {
      ok: true,
      request: { client, redirect_uri: redirectUri, code_challenge: challenge, state, scope: SCOPE },
    };
  }

  /** The code the browser carries back to the client after the account allowed it. */
  async issueCode(request: AuthorizeRequest, accountId: string): Promise<string> {
    const now = this.now();
    await this.store.sweep(now);
    const code = newSecret(CODE_PREFIX);
    await this.store.insertCode({
      code_hash: sha256(code),
      client_id: request.client.client_id,
      account_id: accountId,
      redirect_uri: request.redirect_uri,
      code_challenge: request.code_challenge,
      scope: request.scope,
      expires_at: new Date(now.getTime() + CODE_SECONDS * 1000).toISOString(),
      created_at: now.toISOString(),
      used_at: null,
      grant_id: null,
    });
    return code;
  }

  /**
   * `grant_type=authorization_code`: the code is spent whether or not the rest checks out, and a code used
   * twice ends what its first use got (OAuth 2.1 §4.1.3: one of the two holders is not the client).
   */
  async exchangeCode(p: URLSearchParams): Promise<({ ok: true } & TokenResponse) | OAuthError> {
    const code = p.get("code");
    const verifier = p.get("code_verifier");
    if (!code || !verifier) return fail("invalid_request", "Send code and code_verifier.");
    const codeHash = sha256(code);
    const now = this.now();
    const spent = await this.store.spendCode(codeHash, now);
    if (spent && "reused" in spent && spent.reused) await this.endGrant(spent.reused, now);
    const row = spent && "code" in spent ? spent.code : null;
    if (!row || Date.parse(row.expires_at) <= now.getTime())
      return fail("invalid_grant", "The code is unknown, used or expired.");
    if (row.client_id !== p.get("client_id"))
      return fail("invalid_grant", "The code was issued to another client.");
    if ((p.get("redirect_uri") ?? row.redirect_uri) !== row.redirect_uri)
      return fail("invalid_grant", "The redirect URI differs from the authorization request's.");
    if (!pkceMatches(verifier, row.code_challenge))
      return fail("invalid_grant", "The code_verifier does not match the code_challenge.");
    const minted = await this.billing.mintAccountKey(row.account_id, now);
    const grantId = randomUUID();
    await this.store.insertGrant({
      id: grantId,
      client_id: row.client_id,
      account_id: row.account_id,
      key_id: minted.record.id,
      scope: row.scope,
      created_at: now.toISOString(),
      revoked_at: null,
    });
    await this.store.noteCodeGrant(codeHash, grantId);
    return { ok: true, ...(await this.issueTokens(grantId, row.scope, minted.key, now)) };
  }

  /** `grant_type=refresh_token`: rotation, so each refresh token works once. */
  async refresh(p: URLSearchParams): Promise<({ ok: true } & TokenResponse) | OAuthError> {
    const token = p.get("refresh_token");
    if (!token) return fail("invalid_request", "Send refresh_token.");
    const row = await this.store.takeRefreshToken(sha256(token));
    const now = this.now();
    const grant = row ? await this.store.grant(row.grant_id) : null;
    const apiKey = row ? openWith(token, row.key_box) : null;
    if (!row || !grant || grant.revoked_at || Date.parse(row.expires_at) <= now.getTime() || !apiKey)
      return fail("invalid_grant", "The refresh token is unknown, used, expired or revoked.");
    if (grant.client_id !== p.get("client_id"))
      return fail("invalid_grant", "The refresh token was issued to another client.");
    if ((await this.billing.keys.find(apiKey)) === null) {
      await this.store.revokeGrant(grant.id, now);
      return fail("invalid_grant", "This authorization was revoked.");
    }
    await this.store.dropAccessTokens(grant.id);
    return { ok: true, ...(await this.issueTokens(grant.id, grant.scope, apiKey, now)) };
  }

  /**
   * RFC 7009: revoking either token ends the whole grant and its key. Unknown tokens, and tokens of
   * another client when the client names itself, change nothing; the answer is the same either way.
   */
  async revoke(token: string, clientId: string | null): Promise<void> {
    const row = await this.store.token(sha256(token));
    const grant = row ? await this.store.grant(row.grant_id) : null;
    if (!grant || (clientId !== null && grant.client_id !== clientId)) return;
    await this.endGrant(grant.id, this.now());
  }

  /** Ends a grant: its tokens go and its key is revoked. */
  private async endGrant(grantId: string, now: Date): Promise<void> {
    const grant = await this.store.grant(grantId);
    if (!grant) return;
    await this.store.revokeGrant(grant.id, now);
    await this.billing.keys.revoke(grant.key_id, now);
  }

  /**
   * The account's keys that belong to its grants: each acts for an MCP client and ends with its grant, so
   * nothing else of the account's (the dashboard) should act with one.
   */
  async grantKeyIds(accountId: string): Promise<Set<string>> {
    return new Set(await this.store.grantKeyIds(accountId));
  }

  /** The API key an access token acts with, or null for a token that is unknown, expired or revoked. */
  async apiKeyFor(accessToken: string): Promise<string | null> {
    if (!accessToken.startsWith(ACCESS_TOKEN_PREFIX) || accessToken.length > 200) return null;
    const row = await this.store.token(sha256(accessToken));
    if (row?.kind !== "access" || Date.parse(row.expires_at) <= this.now().getTime()) return null;
    const grant = await this.store.grant(row.grant_id);
    if (!grant || grant.revoked_at) return null;
    return openWith(accessToken, row.key_box);
  }

  private async issueTokens(
    grantId: string,
    scope: string,
    apiKey: string,
    now: Date,
  ): Promise<TokenResponse> {
    await this.store.sweep(now);
    const access = newSecret(ACCESS_TOKEN_PREFIX);
    const refresh = newSecret(REFRESH_TOKEN_PREFIX);
    const row = (token: string, kind: "access" | "refresh", seconds: number) => ({
      token_hash: sha256(token),
      grant_id: grantId,
      kind,
      key_box: sealUnder(token, apiKey),
      expires_at: new Date(now.getTime() + seconds * 1000).toISOString(),
      created_at: now.toISOString(),
    });
    await this.store.insertTokens([
      row(access, "access", ACCESS_TOKEN_SECONDS),
      row(refresh, "refresh", REFRESH_TOKEN_SECONDS),
    ]);
    return {
      access_token: access,
      token_type: "Bearer",
      expires_in: ACCESS_TOKEN_SECONDS,
      refresh_token: refresh,
      scope,
    };
  }
}
