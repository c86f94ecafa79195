import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PASSWORD_MAX_CHARS } from "../../billing/password-policy.ts";
import type { AuthorizeRequest } from "../../oauth/authorization-server.ts";
import type { ApiContext } from "../context.ts";
import { esc, page, readForm, sendHtml } from "../html.ts";
import { mcpResources } from "../routes/oauth.ts";
import { type SignInGuards, signInWait } from "./sign-in-guards.ts";

const TITLE = "Allow an application to use ClawCall";
/** A consent form older than this is refused: the person starts again from their application. */
const FORM_MS = 10 * 60_000;

/**
 * The authorization request travels in a hidden field, signed with the time it was shown: the page has no
 * cookies, so the signature is what binds what the person agreed to (client, redirect, PKCE challenge,
 * state) to the form they submit. A changed field or an old form is refused.
 */
function signRequest(secret: string, query: string, shown: number): string {
  return createHmac("sha256", secret).update(`oauth-consent\n${shown}\n${query}`).digest("base64url");
}

function signedRequest(secret: string, f: URLSearchParams, now: number): URLSearchParams | null {
  const query = f.get("request") ?? "";
  const shown = Number(f.get("shown"));
  const sig = Buffer.from(f.get("sig") ?? "");
  const expected = Buffer.from(signRequest(secret, query, shown));
  if (!Number.isFinite(shown) || now - shown > FORM_MS || shown > now + 60_000) return null;
  if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
  return new URLSearchParams(query);
}

function consentForm(secret: string, request: AuthorizeRequest, query: string, error?: string): string {
  const shown = Date.now();
  const name = request.client.client_name;
  const target = new URL(request.redirect_uri);
  return `${error ? `<p class="error">${esc(error)}</p>` : ""}
<p>An application ${name ? `that calls itself <strong>${esc(name)}</strong>` : "that gave no name"} asks to use
your ClawCall account. The name is the application's own claim. After you allow it, your browser goes back
to <strong>${esc(target.host)}</strong>.</p>
<p>It will be able to:</p>
<ul><li>place phone calls that spend your account's call time</li>
<li>read your calls, their transcripts, results and recordings, and hang calls up</li>
<li>read your balance and read or change your call settings</li></ul>
<p class="muted">It never sees your password or an API key. Access lasts until you revoke it, from the
application or on <a href="/keys">your keys page</a>.</p>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="request" value="${esc(query)}">
<input type="hidden" name="shown" value="${shown}">
<input type="hidden" name="sig" value="${esc(signRequest(secret, query, shown))}">
<label for="email">Email</label><input id="email" name="email" type="email" required autocomplete="email">
<label for="password">Password</label><input id="password" name="password" type="password" required autocomplete="current-password">
<button type="submit" name="decision" value="allow">Sign in and allow</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</form>
<p class="muted">No account yet? <a href="/signup" target="_blank" rel="noopener">Create one</a>, then sign in here.</p>`;
}

/** The client's redirect URI with the answer (RFC 9207's `iss` says which server answered). */
function redirectBack(
  reply: FastifyReply,
  ctx: ApiContext,
  to: { redirect_uri: string; state: string | null },
  params: Record<string, string>,
) {
  const url = new URL(to.redirect_uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (to.state !== null) url.searchParams.set("state", to.state);
  url.searchParams.set("iss", ctx.config.publicUrl);
  return reply.header("cache-control", "no-store").redirect(url.toString(), 302);
}

/**
 * GET|POST /oauth/authorize: the consent step of OAuth's authorization code flow is our sign-in form.
 * The account's password is checked with the same per-client budget and per-email backoff as /signin.
 */
export function registerOAuthConsent(app: FastifyInstance, ctx: ApiContext, guards: SignInGuards): void {
  const check = (q: URLSearchParams) =>
    ctx.oauth.checkAuthorizeRequest(q, mcpResources(ctx.config.publicUrl));
  const problemPage = (reply: FastifyReply, description: string) =>
    sendHtml(
      reply,
      400,
      page(
        TITLE,
        `<p class="error">${esc(description)}</p>
<p class="muted">Start again from your application.</p>`,
      ),
    );

  app.get("/oauth/authorize", async (req: FastifyRequest, reply) => {
    const query = req.url.includes("?") ? req.url.slice(req.url.indexOf("?") + 1) : "";
    const checked = await check(new URLSearchParams(query));
    if (!checked.ok) {
      if (!checked.redirect) return problemPage(reply, checked.description);
      return redirectBack(reply, ctx, checked, {
        error: checked.error,
        error_description: checked.description,
      });
    }
    return sendHtml(reply, 200, page(TITLE, consentForm(ctx.secret, checked.request, query)));
  });

  app.post("/oauth/authorize", async (req, reply) => {
    const f = readForm(req);
    const q = signedRequest(ctx.secret, f, Date.now());
    if (!q) return problemPage(reply, "This form has expired or was changed.");
    const checked = await check(q);
    if (!checked.ok) {
      if (!checked.redirect) return problemPage(reply, checked.description);
      return redirectBack(reply, ctx, checked, {
        error: checked.error,
        error_description: checked.description,
      });
    }
    const request = checked.request;
    if (f.get("decision") !== "allow")
      return redirectBack(reply, ctx, request, {
        error: "access_denied",
        error_description: "The account holder denied access.",
      });
    const query = f.get("request") ?? "";
    const refuse = (status: number, message: string) =>
      sendHtml(reply, status, page(TITLE, consentForm(ctx.secret, request, query, message)));
    const email = (f.get("email") ?? "").trim();
    const password = f.get("password") ?? "";
    const wait = signInWait(ctx, guards, req.ip, email);
    if (wait > 0) {
      reply.header("retry-after", String(wait));
      return refuse(429, "Too many attempts. Wait a little and try again.");
    }
    if (!email || email.length > 254 || !password || password.length > PASSWORD_MAX_CHARS)
      return refuse(400, "Enter your email and password.");
    const account = await ctx.billing.authenticate(email, password);
    if (!account) {
      guards.signIns.failed(email);
      return refuse(401, "Wrong email or password.");
    }
    guards.signIns.succeeded(email);
    const code = await ctx.oauth.issueCode(request, account.id);
    return redirectBack(reply, ctx, request, { code });
  });
}
