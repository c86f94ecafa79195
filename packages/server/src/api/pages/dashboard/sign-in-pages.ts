import type { FastifyInstance } from "fastify";
import type { Account } from "../../../billing/billing.ts";
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, passwordProblem } from "../../../billing/password-policy.ts";
import { clientGroup } from "../../client-address.ts";
import type { ApiContext } from "../../context.ts";
import { esc, readForm } from "../../html.ts";
import type { SignInGuards } from "../sign-in-guards.ts";
import { dashboardPage, seeOther, sendDashboard } from "./layout.ts";
import {
  csrfMatches,
  csrfToken,
  formAnchor,
  formTokenOk,
  readCookie,
  SESSION_COOKIE,
  setCookie,
  visitorOf,
} from "./session.ts";

type Action = "sign-in" | "sign-up";
const TITLES: Record<Action, string> = { "sign-in": "Sign in", "sign-up": "Create your account" };

/** Only a dashboard path is a place to go after signing in: never another site. */
const safeNext = (next: string | null | undefined) =>
  next && /^\/dashboard(\/[A-Za-z0-9/_-]*)?(\?[A-Za-z0-9=&%._+-]*)?$/.test(next) ? next : "/dashboard/calls";

function credentialsForm(action: Action, csrf: string, next: string, error?: string): string {
  const other = action === "sign-in" ? "sign-up" : "sign-in";
  return `${error ? `<p class="error" role="alert">${esc(error)}</p>` : ""}
<form method="post" action="/dashboard/${action}">
<input type="hidden" name="csrf" value="${esc(csrf)}"><input type="hidden" name="next" value="${esc(next)}">
<label for="email">Email</label><input id="email" name="email" type="email" required autocomplete="email">
<label for="password">Password</label><input id="password" name="password" type="password" required
 autocomplete="${action === "sign-up" ? "new-password" : "current-password"}"${action === "sign-up" ? ` minlength="${PASSWORD_MIN_CHARS}"` : ""}>
<p><button type="submit">${TITLES[action]}</button></p>
</form>
<p class="muted">${action === "sign-in" ? "No account yet?" : "Already have an account?"}
<a href="/dashboard/${other}">${TITLES[other]}</a></p>`;
}

/**
 * Sign-in, sign-up and sign-out of the dashboard. A session is a random id in an HttpOnly, SameSite=Lax
 * cookie, kept only hashed; the forms carry CSRF tokens tied to their cookie. The attempt budget and
 * the per-email backoff are the account pages' own, so the dashboard is no way around them.
 */
export function registerSignInPages(app: FastifyInstance, ctx: ApiContext, guards: SignInGuards): void {
  // With outgoing mail an address is proven by its mailed link, which the account pages send.
  const actions: Action[] = ctx.mailer ? ["sign-in"] : ["sign-in", "sign-up"];

  app.get("/dashboard", async (req, reply) =>
    seeOther(reply, (await visitorOf(ctx, req)) ? "/dashboard/calls" : "/dashboard/sign-in"),
  );

  if (ctx.mailer) {
    app.get("/dashboard/sign-up", async (_req, reply) =>
      sendDashboard(
        reply,
        200,
        dashboardPage(
          TITLES["sign-up"],
          `<p>Accounts are made from a link mailed to you: <a href="/signup">sign up here</a>, then
<a href="/dashboard/sign-in">sign in</a>.</p>`,
          null,
        ),
      ),
    );
  }

  for (const action of actions) {
    app.get<{ Querystring: { next?: string } }>(`/dashboard/${action}`, async (req, reply) => {
      if (await visitorOf(ctx, req)) return seeOther(reply, safeNext(req.query.next));
      const anchor = formAnchor(ctx, req, reply);
      const next = safeNext(req.query.next);
      return sendDashboard(
        reply,
        200,
        dashboardPage(TITLES[action], credentialsForm(action, csrfToken(ctx, anchor), next), null),
      );
    });

    app.post(`/dashboard/${action}`, async (req, reply) => {
      const f = readForm(req);
      const next = safeNext(f.get("next"));
      const refuse = (status: number, message: string) => {
        const anchor = formAnchor(ctx, req, reply);
        return sendDashboard(
          reply,
          status,
          dashboardPage(TITLES[action], credentialsForm(action, csrfToken(ctx, anchor), next, message), null),
        );
      };
      if (!formTokenOk(ctx, req, f.get("csrf")))
        return refuse(403, "This form has expired. Please try again.");
      const retry = guards.attempts.hit(clientGroup(req.ip));
      if (retry > 0) {
        ctx.limitLog.trip("account attempts per minute", clientGroup(req.ip));
        reply.header("retry-after", String(retry));
        return refuse(429, "Too many attempts. Wait a minute.");
      }
      const email = (f.get("email") ?? "").trim();
      const password = f.get("password") ?? "";
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
        return refuse(400, "Enter a valid email address.");
      if (action === "sign-up") {
        const problem = passwordProblem(password, email);
        if (problem) return refuse(400, problem);
      } else if (password.length === 0 || password.length > PASSWORD_MAX_CHARS) {
        return refuse(400, "Enter your password.");
      }
      const wait = guards.signIns.retryAfter(email);
      if (wait > 0) {
        ctx.limitLog.trip("sign-ins per account", clientGroup(req.ip));
        reply.header("retry-after", String(wait));
        return refuse(429, `Too many failed sign-ins for this email. Try again in ${wait} s.`);
      }
      let account: Account | null;
      if (action === "sign-up") {
        const created = await ctx.billing.createAccount(email, password, new Date());
        // A taken email is a sign-in attempt, throttled like one, so the page never says it is taken.
        account = created === "email_taken" ? await ctx.billing.authenticate(email, password) : created;
      } else account = await ctx.billing.authenticate(email, password);
      if (!account) {
        guards.signIns.failed(email);
        return refuse(401, "Wrong email or password.");
      }
      guards.signIns.succeeded(email);
      // A sign-in always starts a new session: one made before it (perhaps planted) is not carried on.
      const previous = readCookie(req, SESSION_COOKIE);
      if (previous) await ctx.billing.sessions.end(previous);
      const sessionId = await ctx.billing.sessions.create(account.id, new Date());
      setCookie(ctx, reply, SESSION_COOKIE, sessionId, ctx.billing.sessions.lifetimes.absoluteMs / 1000);
      return seeOther(reply, next);
    });
  }

  app.post("/dashboard/sign-out", async (req, reply) => {
    const sessionId = readCookie(req, SESSION_COOKIE);
    // Without a valid token a sign-out could be forced by another site; the session is left alone.
    if (!sessionId || !csrfMatches(ctx, sessionId, readForm(req).get("csrf")))
      return seeOther(reply, "/dashboard");
    await ctx.billing.sessions.end(sessionId);
    setCookie(ctx, reply, SESSION_COOKIE, "", 0);
    return seeOther(reply, "/dashboard/sign-in");
  });
}
