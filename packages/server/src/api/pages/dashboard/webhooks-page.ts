import { DEFAULT_WEBHOOK_EVENTS } from "@clawcall/contract";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ApiContext } from "../../context.ts";
import { esc, readForm } from "../../html.ts";
import { saveWebhook } from "../../routes/webhooks.ts";
import { dashboardPage, sendDashboard } from "./layout.ts";
import { csrfMatches, requireVisitor, type Visitor } from "./session.ts";
import {
  currentWebhook,
  deliveryTable,
  secretNotice,
  type WebhookFormValues,
  webhookActions,
  webhookForm,
} from "./webhooks-view.ts";

const TITLE = "Webhooks";
const PATH = "/dashboard/webhooks";
const DELIVERIES_SHOWN = 25;
const EXPIRED = `<p class="error" role="alert">This form has expired. Please try again.</p>`;

interface Shown {
  notice?: string;
  /** What the form shows instead of the saved settings (a refused submission). */
  values?: WebhookFormValues;
  formError?: string;
}

/**
 * The account's webhook and its deliveries: the webhooks room's own methods, with PUT /me/webhook's
 * checks and words. The wallet is the account's, as for every key of the account.
 */
export function registerWebhooksPage(app: FastifyInstance, ctx: ApiContext): void {
  const owner = (visitor: Visitor) => `account:${visitor.account.id}`;

  const render = async (visitor: Visitor, shown: Shown = {}) => {
    const endpoint = await ctx.webhooks.get(owner(visitor));
    const deliveries = await ctx.webhooks.deliveries(owner(visitor), { limit: DELIVERIES_SHOWN });
    const values = shown.values ?? {
      url: endpoint?.url ?? "",
      events: endpoint?.events ?? DEFAULT_WEBHOOK_EVENTS,
    };
    const body = `${shown.notice ?? ""}
<p class="muted">A webhook tells your own server about this account's calls as they happen: each delivery
is a signed JSON POST (see <a href="/guides/v1/webhooks.md">the webhooks guide</a>).</p>
${currentWebhook(endpoint)}
<h2>${endpoint?.url ? "Change the webhook" : "Set a webhook"}</h2>
${webhookForm(visitor.csrf, values, shown.formError)}
${endpoint?.url ? webhookActions(visitor.csrf) : ""}
${deliveryTable(deliveries, visitor.csrf)}`;
    return dashboardPage(TITLE, body, visitor, PATH);
  };

  /** The visitor of a form post whose CSRF token matches; otherwise the page is answered with a 403. */
  const formVisitor = async (req: Parameters<typeof requireVisitor>[1], reply: FastifyReply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return null;
    const form = readForm(req);
    if (!csrfMatches(ctx, visitor.sessionId, form.get("csrf"))) {
      await sendDashboard(reply, 403, await render(visitor, { notice: EXPIRED }));
      return null;
    }
    return { visitor, form };
  };

  app.get(PATH, async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    return sendDashboard(reply, 200, await render(visitor));
  });

  app.post(PATH, async (req, reply) => {
    const posted = await formVisitor(req, reply);
    if (!posted) return reply;
    const { visitor, form } = posted;
    const values = { url: (form.get("url") ?? "").trim(), events: form.getAll("events") };
    const saved = await saveWebhook(ctx, owner(visitor), values);
    if (!saved.ok) {
      const formError = `${saved.message} (${saved.code})`;
      return sendDashboard(reply, 400, await render(visitor, { values, formError }));
    }
    const notice = saved.secret
      ? secretNotice(saved.secret, "Saved. This is the webhook's signing secret.")
      : `<p class="ok" role="status">Saved.</p>`;
    return sendDashboard(reply, 200, await render(visitor, { notice }));
  });

  app.post(`${PATH}/rotate`, async (req, reply) => {
    const posted = await formVisitor(req, reply);
    if (!posted) return reply;
    const { visitor } = posted;
    const endpoint = await ctx.webhooks.get(owner(visitor));
    if (!endpoint?.url) {
      const notice = `<p class="error" role="alert">Set a webhook first: a new secret is made with it.</p>`;
      return sendDashboard(reply, 409, await render(visitor, { notice }));
    }
    // The address is checked again, as PUT /me/webhook with rotate_secret would.
    const saved = await saveWebhook(ctx, owner(visitor), {
      url: endpoint.url,
      events: endpoint.events,
      rotate_secret: true,
    });
    const notice = saved.ok
      ? secretNotice(saved.secret ?? "", "Your new signing secret. The old one no longer signs.")
      : `<p class="error" role="alert">${esc(`${saved.message} (${saved.code})`)}</p>`;
    return sendDashboard(reply, saved.ok ? 200 : 400, await render(visitor, { notice }));
  });

  app.post(`${PATH}/remove`, async (req, reply) => {
    const posted = await formVisitor(req, reply);
    if (!posted) return reply;
    await ctx.webhooks.unsubscribe(owner(posted.visitor));
    const notice = `<p class="ok" role="status">The webhook is removed, with its signing secret.</p>`;
    return sendDashboard(reply, 200, await render(posted.visitor, { notice }));
  });

  app.post(`${PATH}/replay`, async (req, reply) => {
    const posted = await formVisitor(req, reply);
    if (!posted) return reply;
    const id = posted.form.get("delivery_id") ?? "";
    // Looked up in the account's own wallet only: another account's delivery id is no delivery here.
    const made = id.length <= 100 ? await ctx.webhooks.replay(owner(posted.visitor), id) : null;
    const notice = made
      ? `<p class="ok" role="status">The <code>${esc(made.event_type)}</code> event is queued to be sent again.</p>`
      : `<p class="error" role="alert">No such delivery on this account.</p>`;
    return sendDashboard(reply, made ? 202 : 404, await render(posted.visitor, { notice }));
  });
}
