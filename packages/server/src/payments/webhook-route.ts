import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import type { Logger } from "../observability/logger.ts";
import { SampledLog } from "../observability/sampled-log.ts";
import type { Payments } from "./payments.ts";

/** Checkout events are a few kilobytes; anything far larger is not a Stripe event. */
const WEBHOOK_BODY_LIMIT = 256 * 1024;

/**
 * POST /stripe/webhook. This scope keeps the body as raw bytes: the signature covers it exactly as sent,
 * and is checked before the body is read as JSON.
 */
export const stripeWebhookRoutes: FastifyPluginAsync<{ payments: Payments }> = async (
  scope,
  { payments },
) => {
  scope.removeContentTypeParser(["application/json"]);
  // Anyone can send forged webhooks, as fast as they like.
  const refusals = new SampledLog(scope.log as Logger);
  scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  // The route states its limit too, so a 413 names the limit that applied.
  scope.post("/stripe/webhook", { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const header = request.headers["stripe-signature"];
    const outcome = await payments.handleWebhook(raw, Array.isArray(header) ? header[0] : header, new Date());
    if (outcome.status === "invalid_signature" || outcome.status === "malformed") {
      refusals.warn(outcome.reason, { vendor: "stripe", reason: outcome.reason }, "stripe webhook refused");
      return reply.code(400).send({
        error: {
          code: outcome.status === "malformed" ? "invalid_request" : "invalid_signature",
          message: "Webhook signature is missing, wrong or too old, or the body is not an event.",
        },
      });
    }
    // Ignored and refused events are answered 200 as well: Stripe retrying them cannot change the answer.
    return reply.code(200).send({ received: true, outcome: outcome.status });
  });
};

/** The Stripe webhook as the service mounts it: everything under /stripe/ is verified by signature. */
export function stripeVendorRoutes(payments: Payments) {
  return {
    prefix: "/stripe/",
    register: async (app: FastifyInstance) => {
      await app.register(stripeWebhookRoutes, { payments });
    },
  };
}
