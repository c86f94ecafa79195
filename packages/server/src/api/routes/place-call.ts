import { createHmac } from "node:crypto";
import {
  type CallCreated,
  type CallRequest,
  checkCallRequest,
  HEADER_IDEMPOTENCY_KEY,
  IDEMPOTENCY_KEY_PATTERN,
} from "@clawcall/contract";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Claim } from "../../calls/idempotency.ts";
import { INVALID_JSON } from "../app.ts";
import { keyHeader, resolveKey } from "../auth.ts";
import { clientGroup } from "../client-address.ts";
import type { ApiContext, KeyContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import { RateLimiter } from "../rate-limiter.ts";
import { jsonBody } from "./json-body.ts";
import { withPreferences } from "./preferences.ts";
import { quotaError } from "./quota-error.ts";

function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const v = req.headers[HEADER_IDEMPOTENCY_KEY];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(s))
    throw new ApiError("invalid_request", "`Idempotency-Key` must be 1 to 255 printable ASCII characters.");
  return s;
}

const created = (callId: string, key: KeyContext): CallCreated => ({
  call_id: callId,
  id: callId,
  status: "queued",
  message: "queued",
  api_key: key.raw,
});

const notYours = () =>
  new ApiError("idempotency_conflict", "This Idempotency-Key was used by another client. Use a new key.");

/** Whether the call was placed with this key, or another key of its account. */
async function ownsCall(ctx: ApiContext, key: KeyContext, callId: string): Promise<boolean> {
  const call = await ctx.calls.get(callId);
  if (!call) return false;
  if (call.key_id === key.record.id) return true;
  if (!key.record.account_id) return false;
  return (await ctx.billing.keys.byId(call.key_id))?.account_id === key.record.account_id;
}

/**
 * `loop_in_user: true` hands off to the account's verified phone, whatever `bridge_number` says. Refused
 * before a key is minted or anything is placed: 422 without an account or a verified phone, 400 when
 * that phone is the number called or one of the service's own.
 */
async function loopInTarget(ctx: ApiContext, key: KeyContext | null, request: CallRequest): Promise<string> {
  const accountId = key?.record.account_id;
  const phone = accountId ? await ctx.phones.verifiedPhone(accountId) : null;
  if (!phone) {
    throw new ApiError(
      "account_phone_unavailable",
      accountId
        ? "This account has no verified phone to hand the call off to. Verify one with POST /me/phone, or use bridge_number."
        : "loop_in_user needs a key linked to an account with a verified phone. Sign in to link this key, or use bridge_number.",
    );
  }
  if (phone === request.to || ctx.calls.ownsNumber(phone)) {
    throw new ApiError(
      "invalid_loop_in_destination",
      "The account's phone cannot be handed the call: it is the number being called, or one of this service's own.",
    );
  }
  return phone;
}

/** POST /call: validation, the key (or a new one), idempotency, then admission and the dial. */
export function registerPlaceCall(app: FastifyInstance, ctx: ApiContext): void {
  const mints = new RateLimiter(ctx.config.limits.mintsPerHour, 3_600_000);

  const mint = async (req: FastifyRequest): Promise<KeyContext> => {
    const retry = mints.hit(clientGroup(req.ip));
    if (retry > 0) {
      ctx.limitLog.trip("key mints per hour", clientGroup(req.ip));
      throw new ApiError(
        "rate_limited",
        "Too many new API keys from this address. Reuse the key you were given.",
        {
          retryAfterSeconds: retry,
        },
      );
    }
    const minted = await ctx.billing.mintKey(new Date());
    ctx.metrics.keysMinted.inc();
    req.key = { raw: minted.key, record: minted.record, minted: true };
    return req.key;
  };

  /** The key an earlier attempt of this placement minted, answered as minted again. */
  const remintedKey = async (req: FastifyRequest, raw: string | null): Promise<KeyContext | null> => {
    const record = raw ? await ctx.billing.keys.find(raw) : null;
    if (!raw || !record) return null;
    req.key = { raw, record, minted: true };
    return req.key;
  };

  app.post("/call", async (req, reply) => {
    const body = jsonBody(req);
    const poolNumber = (n: string) =>
      ctx.calls.ownsNumber(n) ? "it is one of this service's own caller numbers" : null;
    const check = checkCallRequest(body === INVALID_JSON ? INVALID_JSON : body, poolNumber);
    const raw = keyHeader(req);
    if (!check.ok) {
      // Input is checked before the key (a bad body is a 400 whatever the key), but a valid key still
      // gets its api_key and balance with the error, like every keyed response.
      if (raw) await resolveKey(ctx, req, raw).catch(() => null);
      throw new ApiError(check.code, check.message);
    }
    let key = raw ? await resolveKey(ctx, req, raw) : null;
    if (check.value.loop_in_user === true)
      check.value.bridge_number = await loopInTarget(ctx, key, check.value);
    const idempotencyKey = idempotencyKeyOf(req);

    let claim: Claim | null = null;
    if (idempotencyKey) {
      claim = await ctx.idempotency.claim(idempotencyKey, clientGroup(req.ip), check.value);
      if (claim.kind === "conflict") {
        throw new ApiError(
          "idempotency_conflict",
          "This Idempotency-Key was used for a different call in the last 24 hours. Use a new key for a new call.",
        );
      }
      if (claim.kind === "replay") {
        if (key ? !(await ownsCall(ctx, key, claim.callId)) : !claim.sameClient) throw notYours();
        key ??= await remintedKey(req, claim.mintedKey);
        if (!key) throw notYours();
        reply.header("idempotent-replayed", "true");
        return reply.status(201).send(created(claim.callId, key));
      }
      // An earlier attempt that died after minting a key but before placing the call: reuse that key.
      if (!key && claim.mintedKey) key = await remintedKey(req, claim.mintedKey);
    }
    if (!key) {
      const held = claim;
      // Refused a key (too many from this address): nothing was placed, so the claim is let go.
      key = await mint(req).catch(async (err) => {
        if (held?.kind === "place") await ctx.idempotency.forget(held.id);
        throw err;
      });
      if (claim && idempotencyKey) await ctx.idempotency.rememberMintedKey(claim.id, idempotencyKey, key.raw);
    }
    return reply.status(201).send(await place(ctx, clientGroup(req.ip), key, check.value, claim));
  });
}

/** Who placed a call, as stored with it: an HMAC of the client's address group, never the address. */
export const placedByOf = (ctx: ApiContext, client: string) =>
  createHmac("sha256", ctx.secret).update(`placed-by\n${client}`).digest("base64url");

async function place(
  ctx: ApiContext,
  client: string,
  key: KeyContext,
  request: CallRequest,
  claim: (Claim & { kind: "place" }) | null,
): Promise<CallCreated> {
  let placed: Awaited<ReturnType<ApiContext["calls"]["place"]>>;
  try {
    placed = await ctx.calls.place(key.record, await withPreferences(ctx, key, request), {
      ...(claim ? { callId: claim.callId } : {}),
      placedBy: placedByOf(ctx, client),
    });
  } catch (err) {
    // Another attempt of the same placement created the call first (its id is the claim's).
    if (claim && (await ctx.calls.get(claim.callId))) return created(claim.callId, key);
    throw err;
  }
  if (!placed.ok) {
    // Nothing was placed: the same Idempotency-Key may try again.
    if (claim) await ctx.idempotency.forget(claim.id);
    if (placed.code === "quota_exceeded" || placed.code === "balance_depleted") {
      throw await quotaError(ctx, key, placed.code, placed.message);
    }
    throw new ApiError(placed.code, placed.message, { retryAfterSeconds: placed.retryAfterSeconds });
  }
  return created(placed.call.id, key);
}
