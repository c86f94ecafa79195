import { createHash, randomBytes } from "node:crypto";
import type { TestService } from "./service.ts";

export const REDIRECT_URI = "http://127.0.0.1:7/callback";

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The hidden fields of a page's form, as a browser would send them back. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]!] = unescapeHtml(m[2]!);
  return fields;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** Registers a public client the way an MCP client does (RFC 7591). */
export async function registerClient(service: TestService, redirectUri = REDIRECT_URI): Promise<string> {
  const res = await service.request("POST", "/oauth/register", {
    body: { client_name: "Test Assistant", redirect_uris: [redirectUri], token_endpoint_auth_method: "none" },
  });
  if (res.status !== 201) throw new Error(`registration answered ${res.status}: ${res.text}`);
  return res.body.client_id;
}

export async function signUp(service: TestService, email: string, password: string): Promise<void> {
  const res = await service.request("POST", "/signup", {
    raw: new URLSearchParams({ email, password }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}`);
}

/** Goes through the consent page as a browser without scripts would, and returns the redirect's code. */
export async function authorize(
  service: TestService,
  clientId: string,
  challenge: string,
  credentials: { email: string; password: string },
): Promise<string> {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "st-123",
  });
  const shown = await service.request("GET", `/oauth/authorize?${q}`);
  if (shown.status !== 200) throw new Error(`authorize answered ${shown.status}: ${shown.text}`);
  const posted = await service.request("POST", "/oauth/authorize", {
    raw: new URLSearchParams({ ...hiddenFields(shown.text), ...credentials, decision: "allow" }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  if (posted.status !== 302) throw new Error(`consent answered ${posted.status}: ${posted.text}`);
  const back = new URL(posted.headers.get("location")!);
  if (back.searchParams.get("state") !== "st-123") throw new Error("state not returned");
  return back.searchParams.get("code")!;
}

/** POSTs a form to the token endpoint. */
export const tokenRequest = (service: TestService, fields: Record<string, string>) =>
  service.request("POST", "/oauth/token", {
    raw: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });

/** The whole flow without a browser: an access and refresh token for the account. */
export async function tokensFor(
  service: TestService,
  credentials: { email: string; password: string },
): Promise<{ clientId: string; access_token: string; refresh_token: string }> {
  const clientId = await registerClient(service);
  const { verifier, challenge } = pkcePair();
  const code = await authorize(service, clientId, challenge, credentials);
  const res = await tokenRequest(service, {
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
  });
  if (res.status !== 200) throw new Error(`token answered ${res.status}: ${res.text}`);
  return { clientId, ...res.body };
}
