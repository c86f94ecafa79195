import {
  type AccountPhoneView,
  isNanpNumber,
  type PhoneVerificationStarted,
  refusedDestinationReason,
} from "@clawcall/contract";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { INVALID_JSON } from "../app.ts";
import { requireKey } from "../auth.ts";
import type { ApiContext, KeyContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import { RateLimiter } from "../rate-limiter.ts";
import { jsonBody } from "./json-body.ts";

/** Verification calls one account may have placed in an hour (per node, like the mail limits). */
const VERIFICATIONS_PER_HOUR = 3;

async function accountKey(ctx: ApiContext, req: FastifyRequest): Promise<KeyContext & { accountId: string }> {
  const key = await requireKey(ctx, req);
  const accountId = key.record.account_id;
  if (!accountId) {
    throw new ApiError(
      "auth_required",
      "A phone belongs to an account, and this key is not linked to one. Sign up or sign in to link it.",
    );
  }
  return Object.assign(key, { accountId });
}

/** The `phone` of a POST /me/phone body, checked by the phone-number rule and the never-dialled list. */
function phoneOf(ctx: ApiContext, body: unknown): string {
  if (body === INVALID_JSON || typeof body !== "object" || body === null || Array.isArray(body))
    throw new ApiError("invalid_json", 'Send the phone as a JSON object: {"phone": "+1XXXXXXXXXX"}.');
  const { phone, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw new ApiError(
      "invalid_request",
      `Unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.`,
    );
  if (phone === undefined || phone === null || phone === "")
    throw new ApiError("missing_fields", "Missing required field: phone.");
  if (!isNanpNumber(phone))
    throw new ApiError("invalid_phone", "`phone` must be a US or Canada number in the form +1XXXXXXXXXX.");
  const why =
    refusedDestinationReason(phone) ??
    (ctx.calls.ownsNumber(phone) ? "it is one of this service's own caller numbers" : null);
  if (why !== null) throw new ApiError("unsupported_destination", `\`phone\` cannot be called: ${why}.`);
  return phone;
}

/**
 * GET|POST|DELETE /me/phone: the account holder's own phone, the hand-off target of `loop_in_user`.
 * POST answers 202 with the code to type and calls the phone, which asks for it; the code is never said.
 */
export function registerAccountPhoneRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const verifications = new RateLimiter(VERIFICATIONS_PER_HOUR, 3_600_000);

  app.get("/me/phone", async (req) => {
    const key = await accountKey(ctx, req);
    const body: AccountPhoneView = { phone: await ctx.phones.get(key.accountId), api_key: key.raw };
    return body;
  });

  app.post("/me/phone", async (req, reply) => {
    const key = await accountKey(ctx, req);
    const phone = phoneOf(ctx, jsonBody(req));
    const retry = verifications.hit(key.accountId);
    if (retry > 0) {
      ctx.limitLog.trip("phone verifications per hour", key.accountId);
      throw new ApiError(
        "rate_limited",
        `At most ${VERIFICATIONS_PER_HOUR} verification calls an hour; try again later.`,
        { retryAfterSeconds: retry },
      );
    }
    const started = await ctx.phones.start(key.accountId, phone);
    if (!started.ok) throw new ApiError(started.code, started.message);
    const body: PhoneVerificationStarted = {
      phone: started.phone,
      code: started.code,
      expires_at: started.expiresAt.toISOString(),
      message: `Calling ${phone} now. When it asks, type ${started.code} on its keypad.`,
      api_key: key.raw,
    };
    return reply.status(202).send(body);
  });

  app.delete("/me/phone", async (req) => {
    const key = await accountKey(ctx, req);
    await ctx.phones.remove(key.accountId);
    const body: AccountPhoneView = { phone: null, api_key: key.raw };
    return body;
  });
}
