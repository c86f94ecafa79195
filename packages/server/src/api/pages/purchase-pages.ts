import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { ApiKeyRecord } from "../../billing/keys.ts";
import { formatPrice, packageLabel } from "../../payments/packages.ts";
import { CheckoutFailed } from "../../payments/payments.ts";
import { creditedSeconds } from "../../payments/purchases.ts";
import { clientGroup } from "../client-address.ts";
import type { ApiContext } from "../context.ts";
import { esc, formatSeconds, page, readForm, sendHtml } from "../html.ts";
import { RateLimiter } from "../rate-limiter.ts";
import { keyFromLink } from "./account-ready.ts";

const TITLE = "Buy call time";
const NO_KEY = `<p class="error">Open this page from the link your assistant gave you.</p>`;
const SESSION_ID = /^cs_[A-Za-z0-9_]{1,255}$/;
const ATTEMPT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const linkFirst = (token: string) => {
  const t = encodeURIComponent(token);
  return `<p>Link this key to an account first: <a href="/signup?token=${t}">sign up</a> or <a href="/signin?token=${t}">sign in</a>.</p>`;
};

/**
 * GET /purchase, POST /purchase/checkout and GET /purchase/done. With a payment integration configured
 * the page sells the configured packages through it; without one it shows the operator's text and link.
 * The done page only reports: minutes are credited by the provider's signed webhook, never by a
 * browser coming back.
 */
export function registerPurchasePages(app: FastifyInstance, ctx: ApiContext): void {
  const checkouts = new RateLimiter(20, 60_000);

  async function purchasePage(key: ApiKeyRecord, accountId: string, token: string, error?: string) {
    const account = await ctx.billing.accountById(accountId);
    const balance = await ctx.billing.balanceOf(key);
    const { purchaseText, purchaseUrl } = ctx.config.billing;
    const head = `${error ? `<p class="error">${esc(error)}</p>` : ""}<p>Account: ${esc(account?.email)}</p>
<p>Balance: <strong>${esc(formatSeconds(balance))}</strong></p>`;
    const payments = ctx.payments;
    if (!payments) {
      const link = purchaseUrl ? `<p><a href="${esc(purchaseUrl)}">Buy minutes</a></p>` : "";
      return page(TITLE, `${head}\n<p>${esc(purchaseText)}</p>${link}`);
    }
    // Each form names its own attempt, so pressing a button twice opens one checkout, not two.
    const forms = payments.packages.map(
      (p) => `<form method="post" action="/purchase/checkout">
<input type="hidden" name="token" value="${esc(token)}"><input type="hidden" name="package" value="${esc(p.id)}">
<input type="hidden" name="attempt" value="${randomUUID()}">
<button type="submit">${esc(`${packageLabel(p)} — ${formatPrice(p.amount, payments.currency)}`)}</button>
</form>`,
    );
    return page(
      TITLE,
      `${head}\n${forms.join("\n")}
<p class="muted">You pay on Stripe's page; the minutes are added to this account as soon as Stripe confirms the payment.</p>
<p>${esc(purchaseText)}</p>`,
    );
  }

  app.get<{ Querystring: { token?: string } }>("/purchase", async (req, reply) => {
    const token = req.query.token ?? "";
    const key = await keyFromLink(ctx, token);
    if (!key) return sendHtml(reply, 404, page(TITLE, NO_KEY));
    if (!key.account_id) return sendHtml(reply, 200, page(TITLE, linkFirst(token)));
    return sendHtml(reply, 200, await purchasePage(key, key.account_id, token));
  });

  app.post("/purchase/checkout", async (req, reply) => {
    const f = readForm(req);
    const token = f.get("token") ?? "";
    const retry = checkouts.hit(clientGroup(req.ip));
    if (retry > 0) {
      reply.header("retry-after", String(retry));
      return sendHtml(reply, 429, page(TITLE, `<p class="error">Too many attempts. Wait a minute.</p>`));
    }
    const payments = ctx.payments;
    if (!payments) {
      return sendHtml(
        reply,
        404,
        page(TITLE, `<p class="error">This service does not take payments online.</p>`),
      );
    }
    const key = await keyFromLink(ctx, token);
    if (!key) return sendHtml(reply, 404, page(TITLE, NO_KEY));
    if (!key.account_id) {
      const why = `<p class="error">This key is not linked to an account yet, so there is nothing to add minutes to.</p>`;
      return sendHtml(reply, 403, page(TITLE, why + linkFirst(token)));
    }
    const pkg = payments.packages.find((p) => p.id === f.get("package"));
    if (!pkg) {
      const error = "Choose one of the packages below.";
      return sendHtml(reply, 400, await purchasePage(key, key.account_id, token, error));
    }
    const given = f.get("attempt") ?? "";
    const attempt = ATTEMPT.test(given) ? given : randomUUID();
    try {
      const { url } = await payments.startCheckout({ account: { id: key.account_id }, pkg, attempt });
      return reply.status(303).header("location", url).header("cache-control", "no-store").send();
    } catch (err) {
      if (!(err instanceof CheckoutFailed)) throw err;
      const error =
        "Stripe could not open the payment page, so nothing was charged. Please try again in a minute.";
      return sendHtml(reply, 502, await purchasePage(key, key.account_id, token, error));
    }
  });

  // Stripe sends the buyer back here with the session id only: the API key never travels through Stripe.
  app.get<{ Querystring: { session_id?: string } }>("/purchase/done", async (req, reply) => {
    const sessionId = req.query.session_id ?? "";
    if (!ctx.payments || !SESSION_ID.test(sessionId)) {
      return sendHtml(reply, 404, page(TITLE, `<p class="error">There is no payment to show here.</p>`));
    }
    const credited = await creditedSeconds(ctx.db, sessionId);
    const status =
      credited !== null
        ? `<p class="ok">Payment received: ${esc(formatSeconds(credited))} of call time were added to your account.</p>`
        : `<p class="ok">Payment received; your minutes are added as soon as Stripe confirms it.</p>`;
    return sendHtml(
      reply,
      200,
      page("Thank you", `${status}<p>Go back to your assistant; its calls use the new time at once.</p>`),
    );
  });

  app.get("/purchase/cancelled", async (_req, reply) =>
    sendHtml(
      reply,
      200,
      page(
        TITLE,
        `<p>No payment was made. To buy call time, open the purchase link your assistant gave you again.</p>`,
      ),
    ),
  );
}
