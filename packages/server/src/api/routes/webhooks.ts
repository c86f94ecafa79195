import {
  DEFAULT_WEBHOOK_EVENTS,
  WEBHOOK_EVENT_TYPES,
  type WebhookDeliveryList,
  WebhookDeliveryQuerySchema,
  WebhookInputSchema,
  type WebhookReplay,
  type WebhookSettings,
} from "@clawcall/contract";
import type { FastifyInstance } from "fastify";
import { walletOf } from "../../billing/keys.ts";
import type { Endpoint } from "../../webhooks/endpoints.ts";
import { WebhookUrlRefused } from "../../webhooks/webhooks.ts";
import { INVALID_JSON } from "../app.ts";
import { requireKey } from "../auth.ts";
import type { ApiContext, KeyContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "./json-body.ts";

const view = (key: KeyContext, endpoint: Endpoint | null, secret?: string): WebhookSettings => ({
  configured: endpoint?.url != null,
  url: endpoint?.url ?? null,
  events: endpoint?.events ?? [...DEFAULT_WEBHOOK_EVENTS],
  secret_hint: endpoint?.secretHint ?? null,
  ...(secret ? { secret } : {}),
  created_at: endpoint?.createdAt ?? null,
  updated_at: endpoint?.updatedAt ?? null,
  api_key: key.raw,
});

export type SavedWebhook =
  | { ok: true; endpoint: Endpoint; secret?: string }
  | { ok: false; code: "invalid_webhook" | "invalid_webhook_url"; message: string };

/**
 * Checks a webhook's settings and saves them for the wallet: the checks and words of PUT /me/webhook,
 * which the dashboard's form shares. An address that leads nowhere safe is refused here, before saving.
 */
export async function saveWebhook(ctx: ApiContext, owner: string, body: unknown): Promise<SavedWebhook> {
  const parsed = WebhookInputSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.path[0] === "url") {
      return {
        ok: false,
        code: "invalid_webhook_url",
        message: "`url` must be an https:// URL without credentials.",
      };
    }
    return {
      ok: false,
      code: "invalid_webhook",
      message: `Invalid webhook: \`url\` is an https:// URL, \`events\` a non-empty list of ${WEBHOOK_EVENT_TYPES.join(", ")}, \`rotate_secret\` true or false.`,
    };
  }
  try {
    return { ok: true, ...(await ctx.webhooks.subscribe(owner, parsed.data)) };
  } catch (err) {
    if (err instanceof WebhookUrlRefused) {
      return { ok: false, code: "invalid_webhook_url", message: `\`url\` cannot be used: ${err.message}.` };
    }
    throw err;
  }
}

/**
 * GET|PUT|DELETE /me/webhook and the wallet's deliveries. A wallet is the key's account, or the key
 * itself when it has none (as call preferences): a key sees only its own wallet's webhook and deliveries.
 */
export function registerWebhookRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get("/me/webhook", async (req) => {
    const key = await requireKey(ctx, req);
    return view(key, await ctx.webhooks.get(walletOf(key.record)));
  });

  app.put("/me/webhook", async (req) => {
    const key = await requireKey(ctx, req);
    const body = jsonBody(req);
    if (body === INVALID_JSON || typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new ApiError("invalid_json", "Send the webhook as a JSON object.");
    }
    const saved = await saveWebhook(ctx, walletOf(key.record), body);
    if (!saved.ok) throw new ApiError(saved.code, saved.message);
    return view(key, saved.endpoint, saved.secret);
  });

  app.delete("/me/webhook", async (req) => {
    const key = await requireKey(ctx, req);
    await ctx.webhooks.unsubscribe(walletOf(key.record));
    return view(key, null);
  });

  app.get("/me/webhook/deliveries", async (req) => {
    const key = await requireKey(ctx, req);
    const q = WebhookDeliveryQuerySchema.safeParse(req.query);
    if (!q.success) {
      throw new ApiError(
        "invalid_request",
        "`limit` must be 1-100, `status` one of pending, delivered, failed, and `call_id` a call id.",
      );
    }
    const { limit, status, call_id } = q.data;
    const deliveries = await ctx.webhooks.deliveries(walletOf(key.record), {
      limit,
      ...(status ? { status } : {}),
      ...(call_id ? { callId: call_id } : {}),
    });
    const list: WebhookDeliveryList = { deliveries, api_key: key.raw };
    return list;
  });

  app.post<{ Params: { id: string } }>("/me/webhook/deliveries/:id/replay", async (req, reply) => {
    const key = await requireKey(ctx, req);
    const made =
      req.params.id.length <= 100 ? await ctx.webhooks.replay(walletOf(key.record), req.params.id) : null;
    if (!made) throw new ApiError("not_found", "No webhook delivery with this id was found for this key.");
    const answer: WebhookReplay = { delivery: made, api_key: key.raw };
    return reply.status(202).send(answer);
  });
}
