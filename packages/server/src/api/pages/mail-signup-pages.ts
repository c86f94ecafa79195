import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PASSWORD_MAX_CHARS } from "../../billing/password-policy.ts";
import { SIGNUP_LINK_HOURS } from "../../billing/signup-confirmations.ts";
import { isDeliverableAddress, type Mailer } from "../../mail/mail.ts";
import { confirmationMail, existingAccountMail } from "../../mail/signup-mails.ts";
import { clientGroup } from "../client-address.ts";
import type { ApiContext } from "../context.ts";
import { esc, page, readForm, sendHtml } from "../html.ts";
import { RateLimiter } from "../rate-limiter.ts";
import { accountReadyPage, keyFromLink, keySummary } from "./account-ready.ts";
import type { SignInGuards } from "./sign-in-guards.ts";

/** A mailbox gets at most this many sign-up mails an hour, however many clients ask. */
export const MAILS_PER_ADDRESS_PER_HOUR = 3;
/** One client (an address group) makes the service send at most this many sign-up mails an hour. */
export const MAILS_PER_CLIENT_PER_HOUR = 10;
const HOUR_MS = 3_600_000;
const CONFIRM_PATH = "/signup/confirm";
const TITLE = "Finish signing up";

type Refuse = (status: number, message: string) => FastifyReply;
type Query = { Querystring: { code?: string } };

function confirmForm(code: string, email: string, aboutKey: string, error?: string): string {
  return `${error ? `<p class="error">${esc(error)}</p>` : ""}
<p>Enter the password you chose when signing up to finish the account for <strong>${esc(email)}</strong>.</p>
${aboutKey}
<form method="post" action="${CONFIRM_PATH}">
<input type="hidden" name="code" value="${esc(code)}">
<label for="password">Password</label><input id="password" name="password" type="password" required autocomplete="current-password">
<button type="submit">Finish signing up</button>
</form>`;
}

const spentLink = `<p>This link has expired or was already used. <a href="/signup">Sign up again</a>, or
<a href="/signin">sign in</a> if you already finished.</p>`;

/**
 * Sign-up with outgoing mail: the form's answer is the same page and status for every address, and a
 * mail tells the address's owner the rest, a link to finish a new account or a note that the address
 * already has one. The link's page asks for the password chosen at sign-up, makes the account and links
 * the key chosen then. Returns the handler the sign-up form hands a checked form to.
 */
export function registerMailSignupPages(
  app: FastifyInstance,
  ctx: ApiContext,
  mailer: Mailer,
  guards: SignInGuards,
) {
  const perAddress = new RateLimiter(MAILS_PER_ADDRESS_PER_HOUR, HOUR_MS);
  const perClient = new RateLimiter(MAILS_PER_CLIENT_PER_HOUR, HOUR_MS);

  async function aboutChosenKey(keyId: string | null): Promise<string> {
    const key = keyId ? await ctx.billing.keys.byId(keyId) : null;
    if (!key || key.revoked_at) return "";
    return `<p>Finishing also links ${await keySummary(ctx, key)} to this account, as you chose when signing up.</p>`;
  }

  app.get<Query>(CONFIRM_PATH, async (req, reply) => {
    const code = req.query.code ?? "";
    // Opening the link changes nothing (mail scanners open links too): the button below does.
    const pending = await ctx.billing.signups.find(code, new Date());
    if (!pending) return sendHtml(reply, 410, page(TITLE, spentLink));
    return sendHtml(
      reply,
      200,
      page(TITLE, confirmForm(code, pending.email, await aboutChosenKey(pending.key_id))),
    );
  });

  app.post(CONFIRM_PATH, async (req, reply) => {
    const f = readForm(req);
    const code = f.get("code") ?? "";
    const password = f.get("password") ?? "";
    const client = clientGroup(req.ip);
    const tooMany = (retry: number) => {
      ctx.limitLog.trip("account attempts", client);
      reply.header("retry-after", String(retry));
    };
    const retry = guards.attempts.hit(client);
    if (retry > 0) {
      tooMany(retry);
      const wait = `<p class="error">Too many attempts. Wait a minute, then open the link again.</p>`;
      return sendHtml(reply, 429, page(TITLE, wait));
    }
    const now = new Date();
    const pending = await ctx.billing.signups.find(code, now);
    if (!pending) return sendHtml(reply, 410, page(TITLE, spentLink));
    const again = async (status: number, error: string) =>
      sendHtml(
        reply,
        status,
        page(TITLE, confirmForm(code, pending.email, await aboutChosenKey(pending.key_id), error)),
      );
    // Wrong passwords on a link count against its address, like failed sign-ins.
    const wait = guards.signIns.retryAfter(pending.email);
    if (wait > 0) {
      tooMany(wait);
      return again(429, "Too many attempts. Wait a little and try again.");
    }
    if (password.length === 0 || password.length > PASSWORD_MAX_CHARS)
      return again(400, "Enter the password you chose when signing up.");
    const result = await ctx.billing.confirmSignup(code, password, now);
    if (result === "invalid") return sendHtml(reply, 410, page(TITLE, spentLink));
    if (result === "wrong_password") {
      guards.signIns.failed(pending.email);
      return again(401, "That is not the password you chose when signing up.");
    }
    guards.signIns.succeeded(pending.email);
    if (result === "has_account") {
      return sendHtml(
        reply,
        409,
        page(TITLE, `<p>This address already has an account. <a href="/signin">Sign in</a> instead.</p>`),
      );
    }
    const chosen = result.keyId ? await ctx.billing.keys.byId(result.keyId) : null;
    const key = chosen && !chosen.revoked_at ? chosen : null;
    const note =
      chosen && !key
        ? `<p class="muted">The key you chose to link was revoked since: it was not linked.</p>`
        : undefined;
    return sendHtml(
      reply,
      201,
      await accountReadyPage(ctx, result.account, { key, confirmed: key !== null, token: "", note }, now),
    );
  });

  /** The sign-up form's answer once its fields are valid: the same for an address with an account or without. */
  return async function signUpByMail(
    req: FastifyRequest,
    reply: FastifyReply,
    form: { email: string; password: string; token: string; link: boolean },
    refuse: Refuse,
  ) {
    if (!isDeliverableAddress(form.email)) return refuse(400, "Enter a valid email address.");
    const client = clientGroup(req.ip);
    const retry = perClient.hit(client);
    if (retry > 0) {
      ctx.limitLog.trip("sign-up mails per client", client);
      reply.header("retry-after", String(retry));
      return refuse(429, "Too many sign-ups from your network. Try again in an hour.");
    }
    // A mailbox that had its share this hour gets nothing more; the page says so for every address alike.
    if (perAddress.hit(form.email.toLowerCase()) > 0) ctx.limitLog.trip("sign-up mails per address", client);
    else {
      const key = form.link ? await keyFromLink(ctx, form.token) : null;
      const started = await ctx.billing.startSignup(form.email, form.password, key?.id ?? null, new Date());
      const base = ctx.config.publicUrl;
      mailer.post(
        started === "has_account"
          ? existingAccountMail(form.email, `${base}/signin`)
          : confirmationMail(
              form.email,
              `${base}${CONFIRM_PATH}?code=${encodeURIComponent(started.code)}`,
              SIGNUP_LINK_HOURS,
            ),
      );
    }
    return sendHtml(
      reply,
      202,
      page(
        "Check your email",
        `<p>We sent a mail to <strong>${esc(form.email)}</strong> with a link to finish signing up. It works
once, for ${SIGNUP_LINK_HOURS} hours, and asks for the password you just chose.</p>
<p class="muted">Nothing in your inbox after a few minutes? Look in your spam folder. An address gets at most
${MAILS_PER_ADDRESS_PER_HOUR} of these mails an hour.</p>`,
      ),
    );
  };
}
