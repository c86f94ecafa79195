import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { formatPrice, packageLabel } from "../../../payments/packages.ts";
import { CheckoutFailed } from "../../../payments/payments.ts";
import type { ApiContext } from "../../context.ts";
import { esc, formatSeconds, readForm } from "../../html.ts";
import { RateLimiter } from "../../rate-limiter.ts";
import { dashboardPage, seeOther, sendDashboard } from "./layout.ts";
import { csrfMatches, requireVisitor, type Visitor } from "./session.ts";

const TITLE = "Usage and call time";
const DAYS = 14;
/** Below this the page says the balance is running low: about two short calls. */
const LOW_BALANCE_SECONDS = 120;
const ATTEMPT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Minutes per day as bars, drawn by the server: the chart needs no script, and a table says the same. */
function chart(days: { day: string; seconds: number }[]): string {
  const max = Math.max(60, ...days.map((d) => d.seconds));
  const w = 24;
  const h = 100;
  const bars = days
    .map((d, i) => {
      const bh = Math.round((d.seconds / max) * h);
      return `<rect x="${i * w + 2}" y="${h - bh}" width="${w - 4}" height="${bh}" fill="#0b4fa8"><title>${d.day}: ${(d.seconds / 60).toFixed(1)} min</title></rect>`;
    })
    .join("");
  const rows = days.map((d) => `<tr><td>${d.day}</td><td>${(d.seconds / 60).toFixed(1)}</td></tr>`).join("");
  return `<svg role="img" aria-labelledby="chart-title" width="${days.length * w}" height="${h + 1}" viewBox="0 0 ${days.length * w} ${h + 1}">
<title id="chart-title">Minutes of calls per day over the last ${DAYS} days</title>${bars}<line x1="0" y1="${h}" x2="${days.length * w}" y2="${h}" stroke="#595959"/></svg>
<p class="muted">From ${days[0]?.day} to ${days.at(-1)?.day} (UTC); the full height is ${(max / 60).toFixed(1)} min.</p>
<details><summary>The figures</summary><table><thead><tr><th scope="col">Day (UTC)</th><th scope="col">Minutes</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

/** GET /dashboard/usage and its purchase form: balance, minutes per day, and buying call time. */
export function registerUsagePage(app: FastifyInstance, ctx: ApiContext): void {
  const checkouts = new RateLimiter(20, 60_000);

  const show = async (visitor: Visitor, error?: string) => {
    const wallet = `account:${visitor.account.id}`;
    const balance = await ctx.billing.ledger.balance(wallet);
    const start = new Date(Date.now() - (DAYS - 1) * 86_400_000);
    const first = start.toISOString().slice(0, 10);
    const used = new Map(
      (await ctx.billing.ledger.dailyCallSeconds(wallet, `${first}T00:00:00.000Z`)).map((d) => [
        d.day,
        d.seconds,
      ]),
    );
    const days = Array.from({ length: DAYS }, (_, i) => {
      const day = new Date(start.getTime() + i * 86_400_000).toISOString().slice(0, 10);
      return { day, seconds: used.get(day) ?? 0 };
    });
    const low =
      balance < LOW_BALANCE_SECONDS
        ? `<p class="note" role="status">Your balance is low: calls stop when it runs out. Buy call time below.</p>`
        : "";
    const payments = ctx.payments;
    const { purchaseText, purchaseUrl } = ctx.config.billing;
    const buy = payments
      ? payments.packages
          .map(
            (p) => `<form method="post" action="/dashboard/usage/checkout">
<input type="hidden" name="csrf" value="${esc(visitor.csrf)}"><input type="hidden" name="package" value="${esc(p.id)}">
<input type="hidden" name="attempt" value="${randomUUID()}">
<p><button type="submit">${esc(`${packageLabel(p)} — ${formatPrice(p.amount, payments.currency)}`)}</button></p></form>`,
          )
          .join("\n") +
        `<p class="muted">You pay on Stripe's page; the minutes are added as soon as Stripe confirms the payment.</p>`
      : `<p>${esc(purchaseText)}</p>${purchaseUrl ? `<p><a href="${esc(purchaseUrl)}">Buy minutes</a></p>` : ""}`;
    const body = `${error ? `<p class="error" role="alert">${esc(error)}</p>` : ""}
<p>Balance: <strong id="balance">${esc(formatSeconds(balance))}</strong></p>${low}
<h2>Minutes used per day</h2>${chart(days)}
<h2>Buy call time</h2>${buy}`;
    return dashboardPage(TITLE, body, visitor, "/dashboard/usage");
  };

  app.get("/dashboard/usage", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    return sendDashboard(reply, 200, await show(visitor));
  });

  // The purchase flow of /purchase, for the signed-in account: credited by the provider's signed webhook.
  app.post("/dashboard/usage/checkout", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    const f = readForm(req);
    if (!csrfMatches(ctx, visitor.sessionId, f.get("csrf")))
      return sendDashboard(reply, 403, await show(visitor, "This form has expired. Please try again."));
    const payments = ctx.payments;
    if (!payments)
      return sendDashboard(reply, 404, await show(visitor, "This service does not take payments online."));
    const retry = checkouts.hit(visitor.account.id);
    if (retry > 0) {
      reply.header("retry-after", String(retry));
      return sendDashboard(reply, 429, await show(visitor, "Too many attempts. Wait a minute."));
    }
    const pkg = payments.packages.find((p) => p.id === f.get("package"));
    if (!pkg) return sendDashboard(reply, 400, await show(visitor, "Choose one of the packages below."));
    const given = f.get("attempt") ?? "";
    const attempt = ATTEMPT.test(given) ? given : randomUUID();
    try {
      const { url } = await payments.startCheckout({ account: { id: visitor.account.id }, pkg, attempt });
      return seeOther(reply, url);
    } catch (err) {
      if (!(err instanceof CheckoutFailed)) throw err;
      const error =
        "Stripe could not open the payment page, so nothing was charged. Please try again in a minute.";
      return sendDashboard(reply, 502, await show(visitor, error));
    }
  });
}
