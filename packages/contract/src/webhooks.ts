import { z } from "zod";
import { CallViewSchema, TranscriptEntrySchema } from "./call.ts";

/**
 * Outbound webhooks: what a wallet (an account, or a key on none) subscribes to, what each delivery
 * carries, and how it is signed. The signature header is Stripe's form, `t=<unix seconds>,v1=<hex>`, an
 * HMAC-SHA256 under the signing secret over `<t>.<raw body>`.
 */
export const WEBHOOK_EVENT_TYPES = [
  "call.started",
  "call.status",
  "call.transcript",
  "call.completed",
] as const;
export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventTypeSchema>;
/** What a subscription that names no events receives. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEventType[] = ["call.started", "call.completed"];

export const HEADER_WEBHOOK_SIGNATURE = "clawcall-signature";
export const HEADER_WEBHOOK_EVENT_ID = "clawcall-event-id";
export const HEADER_WEBHOOK_EVENT_TYPE = "clawcall-event-type";
export const HEADER_WEBHOOK_DELIVERY_ID = "clawcall-delivery-id";

export const WEBHOOK_URL_MAX_CHARS = 2000;

/**
 * Why a webhook URL cannot be used, by its text alone (null when it can). The server also refuses
 * plain http and private addresses once it knows where the name leads.
 */
export function webhookUrlProblem(value: unknown): string | null {
  if (typeof value !== "string" || value.trim() === "") return "must be an https:// URL";
  if (value.length > WEBHOOK_URL_MAX_CHARS) return `must be at most ${WEBHOOK_URL_MAX_CHARS} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an https:// URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an https:// URL";
  if (url.hostname === "") return "must name a host";
  // Credentials in the URL would be shown back in listings and sent to every redirect target.
  if (url.username !== "" || url.password !== "") return "must not carry a user name or password";
  if (url.hash !== "") return "must not have a #fragment";
  return null;
}

export const WebhookInputSchema = z.strictObject({
  url: z.string().refine((v) => webhookUrlProblem(v) === null, "must be an https:// URL"),
  /** The events to send; those of DEFAULT_WEBHOOK_EVENTS when left out. */
  events: z.array(WebhookEventTypeSchema).min(1).optional(),
  /** Makes a new signing secret (shown once in the answer); the old one stops signing at once. */
  rotate_secret: z.boolean().optional(),
});
export type WebhookInput = z.infer<typeof WebhookInputSchema>;

export const WebhookSettingsSchema = z.object({
  /** A URL is set: every call of the wallet is reported to it. */
  configured: z.boolean(),
  url: z.string().nullable(),
  events: z.array(WebhookEventTypeSchema),
  /** The first characters of the signing secret, to tell which one a receiver holds. */
  secret_hint: z.string().nullable(),
  /** The signing secret itself: only in the answer that made it. */
  secret: z.string().optional(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
  api_key: z.string(),
});
export type WebhookSettings = z.infer<typeof WebhookSettingsSchema>;

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export const WebhookDeliverySchema = z.object({
  id: z.string(),
  event_id: z.string(),
  event_type: WebhookEventTypeSchema,
  call_id: z.string(),
  url: z.string(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number().int(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  next_attempt_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
  /** The delivery this one sends again (POST /me/webhook/deliveries/{id}/replay). */
  replay_of: z.string().nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export const WebhookDeliveryListSchema = z.object({
  deliveries: z.array(WebhookDeliverySchema),
  api_key: z.string(),
});
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryListSchema>;

/** The answer of POST /me/webhook/deliveries/{id}/replay. */
export const WebhookReplaySchema = z.object({ delivery: WebhookDeliverySchema, api_key: z.string() });
export type WebhookReplay = z.infer<typeof WebhookReplaySchema>;

export const WebhookDeliveryQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
  call_id: z.string().min(1).max(100).optional(),
});

/** The call as a webhook reports it: the GET /call/{id} view without the key or the wallet's balance. */
export const WebhookCallSchema = CallViewSchema.omit({ api_key: true, _meta: true }).extend({
  _meta: z.record(z.string(), z.unknown()),
});
export type WebhookCall = z.infer<typeof WebhookCallSchema>;

const envelope = { id: z.string(), created_at: z.string() };
/** The body of one webhook delivery. `id` is the event's: the same in every retry and replay. */
export const WebhookEventSchema = z.discriminatedUnion("type", [
  z.object({ ...envelope, type: z.literal("call.started"), data: z.object({ call: WebhookCallSchema }) }),
  z.object({ ...envelope, type: z.literal("call.status"), data: z.object({ call: WebhookCallSchema }) }),
  z.object({ ...envelope, type: z.literal("call.completed"), data: z.object({ call: WebhookCallSchema }) }),
  z.object({
    ...envelope,
    type: z.literal("call.transcript"),
    data: z.object({ call_id: z.string(), index: z.number().int(), entry: TranscriptEntrySchema }),
  }),
]);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;
