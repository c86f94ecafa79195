import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, passwordProblem } from "../../billing/password-policy.ts";
import { SignInThrottle } from "../../billing/signin-throttle.ts";
import { clientGroup } from "../client-address.ts";
import type { ApiContext } from "../context.ts";
import { esc, page, readForm, sendHtml } from "../html.ts";
import { RateLimiter } from "../rate-limiter.ts";
import { accountReadyPage, keyFromLink, keySummary } from "./account-ready.ts";
import { registerDashboard } from "./dashboard/dashboard.ts";
import { registerKeyPages } from "./key-pages.ts";
import { registerMailSignupPages } from "./mail-signup-pages.ts";
import { registerOAuthConsent } from "./oauth-consent.ts";

type Query = { Querystring: { token?: string } };

/**
 * What the page says about the key in its link before anything is linked: a link can come from anyone,
 * and whoever holds a linked key spends the account's minutes and reads its calls.
 */
async function aboutLinkedKey(ctx: ApiContext, token: string): Promise<string> {
  if (!token)
    return `<p class="muted">Open this page from the link your assistant gave you to link its key.</p>`;
  const key = await keyFromLink(ctx, token);
  if (!key) return `<p class="error">The key in this link is unknown or revoked: it cannot be linked.</p>`;
  return `<p>This link carries ${await keySummary(ctx, key)}.</p>
<p class="muted">Link it only if your own assistant just gave you this link: a linked key places calls on
your balance and sees your account's calls. You can revoke keys at any time on <a href="/keys">your keys page</a>.</p>`;
}

function credentialsForm(action: "signup" | "signin", token: string, error?: string): string {
  const other = action === "signup" ? "signin" : "signup";
  const confirm = token
    ? `<label><input type="checkbox" name="link" value="yes" style="width:auto"> Link the key from this link to my account</label>`
    : "";
  return `${error ? `<p class="error">${esc(error)}</p>` : ""}
<form method="post" action="/${action}">
<input type="hidden" name="token" value="${esc(token)}">
<label for="email">Email</label><input id="email" name="email" type="email" required autocomplete="email">
<label for="password">Password</label><input id="password" name="password" type="password" required${action === "signup" ? ` minlength="${PASSWORD_MIN_CHARS}"` : ""}
 autocomplete="${action === "signup" ? "new-password" : "current-password"}">
${confirm}
<button type="submit">${action === "signup" ? "Create account" : "Sign in"}</button>
</form>
<p class="muted">${action === "signup" ? "Already have an account?" : "No account yet?"}
<a href="/${other}?token=${encodeURIComponent(token)}">${other === "signup" ? "Sign up" : "Sign in"}</a></p>`;
}

/**
 * The pages behind the error links: sign up or sign in (which links the key from `?token=` to the
 * account), and the purchase page. Plain server-rendered HTML with no scripts and no cookies: the key in
 * the link is what identifies the caller, so there is no session to steal. The purchase page is in
 * purchase-pages.ts; with outgoing mail, sign-up is finished from a mailed link (mail-signup-pages.ts).
 */
export function registerAccountPages(app: FastifyInstance, ctx: ApiContext): void {
  // Shared with the keys page and the OAuth consent page, which sign in too: one budget of attempts per client and per email.
  const attempts = new RateLimiter(20, 60_000);
  const signIns = new SignInThrottle();
  registerKeyPages(app, ctx, { attempts, signIns });
  registerDashboard(app, ctx, { attempts, signIns });
  registerOAuthConsent(app, ctx, { attempts, signIns });
  // With outgoing mail, a sign-up is finished from a mailed link and answers alike for every address.
  const signUpByMail = ctx.mailer
    ? registerMailSignupPages(app, ctx, ctx.mailer, { attempts, signIns })
    : null;

  app.get("/", async (_req, reply) =>
    sendHtml(
      reply,
      200,
      page(
        "ClawCall",
        `<p>This service places phone calls for AI assistants. See <a href="/openapi.json">the API</a>, or
<a href="/dashboard">sign in to the dashboard</a>.</p>`,
      ),
    ),
  );

  for (const action of ["signup", "signin"] as const) {
    const title = action === "signup" ? "Create your ClawCall account" : "Sign in to ClawCall";
    // The later revision links to /sign-up and /sign-in; both spellings serve the same pages.
    const paths = [`/${action}`, action === "signup" ? "/sign-up" : "/sign-in"];
    for (const path of paths) app.get<Query>(path, showPage);
    async function showPage(req: FastifyRequest<Query>, reply: FastifyReply) {
      const token = req.query.token ?? "";
      return sendHtml(
        reply,
        200,
        page(title, (await aboutLinkedKey(ctx, token)) + credentialsForm(action, token)),
      );
    }

    for (const path of paths) app.post(path, submit);
    async function submit(req: FastifyRequest, reply: FastifyReply) {
      const f = readForm(req);
      const token = f.get("token") ?? "";
      const email = (f.get("email") ?? "").trim();
      const password = f.get("password") ?? "";
      const retry = attempts.hit(clientGroup(req.ip));
      if (retry > 0) {
        ctx.limitLog.trip("account attempts per minute", clientGroup(req.ip));
        reply.header("retry-after", String(retry));
        return sendHtml(
          reply,
          429,
          page(title, credentialsForm(action, token, "Too many attempts. Wait a minute.")),
        );
      }
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
        return sendHtml(
          reply,
          400,
          page(title, credentialsForm(action, token, "Enter a valid email address.")),
        );
      }
      const refuse = (status: number, message: string) =>
        sendHtml(reply, status, page(title, credentialsForm(action, token, message)));
      if (action === "signup") {
        const problem = passwordProblem(password, email);
        if (problem) return refuse(400, problem);
      } else if (password.length === 0 || password.length > PASSWORD_MAX_CHARS) {
        return refuse(400, "Enter your password.");
      }
      if (action === "signup" && signUpByMail)
        return signUpByMail(req, reply, { email, password, token, link: f.get("link") === "yes" }, refuse);
      const wait = signIns.retryAfter(email);
      if (wait > 0) {
        ctx.limitLog.trip("sign-ins per account", clientGroup(req.ip));
        reply.header("retry-after", String(wait));
        return refuse(429, `Too many failed sign-ins for this email. Try again in ${wait} s.`);
      }
      const now = new Date();
      let account: Awaited<ReturnType<typeof ctx.billing.authenticate>> = null;
      if (action === "signup") {
        const created = await ctx.billing.createAccount(email, password, now);
        // Signing up with an email that has an account is a sign-in attempt, throttled like one, so the
        // page never says that the email is taken.
        account = created === "email_taken" ? await ctx.billing.authenticate(email, password) : created;
      } else account = await ctx.billing.authenticate(email, password);
      if (!account) {
        signIns.failed(email);
        return refuse(401, "Wrong email or password.");
      }
      signIns.succeeded(email);
      const key = await keyFromLink(ctx, token);
      const confirmed = key !== null && f.get("link") === "yes";
      return sendHtml(
        reply,
        action === "signup" ? 201 : 200,
        await accountReadyPage(ctx, account, { key, confirmed, token }, now),
      );
    }
  }
}
