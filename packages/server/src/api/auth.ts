import {
  API_KEY_PATTERN,
  HEADER_API_KEY,
  HEADER_BALANCE_MINUTES,
  HEADER_BALANCE_SECONDS,
  HEADER_MINTED_KEY,
  HEADER_TIER,
  type Standing,
  type Tier,
} from "@clawcall/contract";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiContext, KeyContext } from "./context.ts";
import { ApiError } from "./errors.ts";

export function keyHeader(req: FastifyRequest): string | undefined {
  const v = req.headers[HEADER_API_KEY];
  const s = Array.isArray(v) ? v[0] : v;
  return s?.trim() || undefined;
}

/** Looks up the request's key. 401 `auth_required` without one, `invalid_api_key` for an unknown one. */
export async function requireKey(ctx: ApiContext, req: FastifyRequest): Promise<KeyContext> {
  const raw = keyHeader(req);
  if (!raw) throw new ApiError("auth_required", "Send your API key in the X-Api-Key header.");
  return resolveKey(ctx, req, raw);
}

export async function resolveKey(ctx: ApiContext, req: FastifyRequest, raw: string): Promise<KeyContext> {
  // Reads may take a key record a few seconds old; whatever spends or changes looks it up afresh.
  const keys = ctx.billing.keys;
  const reading = req.method === "GET" || req.method === "HEAD";
  const record = API_KEY_PATTERN.test(raw) ? await (reading ? keys.findRecent(raw) : keys.find(raw)) : null;
  if (!record) throw new ApiError("invalid_api_key", "This API key is unknown or has been revoked.");
  await ctx.billing.keys.touch(record, new Date());
  req.key = { raw, record, minted: false };
  return req.key;
}

export async function balanceOf(ctx: ApiContext, key: KeyContext): Promise<number> {
  key.balance ??= await ctx.billing.balanceOf(key.record);
  return key.balance;
}

export async function tierOf(ctx: ApiContext, key: KeyContext): Promise<Tier> {
  key.tier ??= await ctx.billing.tierOf(key.record);
  return key.tier;
}

/** The later revision's entitlement fields: no subscriptions here, and a trial view of the free tier. */
export async function standingOf(ctx: ApiContext, key: KeyContext): Promise<Standing> {
  const seconds = await balanceOf(ctx, key);
  const free = (await tierOf(ctx, key)) === "free";
  return {
    unlimited: false,
    plan: null,
    trial: free
      ? { allowed: seconds > 0, remainingSeconds: Math.max(0, seconds), remainingCalls: null }
      : null,
  };
}

/**
 * Every response made with or for a key carries the balance and tier headers, and the key when minted.
 * Synchronous when the route already read both (polling does), so the common answer needs no promise.
 */
export function addKeyHeaders(
  ctx: ApiContext,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> | null {
  const key = req.key;
  if (!key) return null;
  if (key.balance !== undefined && key.tier !== undefined) {
    writeKeyHeaders(reply, key, key.balance, key.tier);
    return null;
  }
  return Promise.all([balanceOf(ctx, key), tierOf(ctx, key)]).then(([balance, tier]) =>
    writeKeyHeaders(reply, key, balance, tier),
  );
}

function writeKeyHeaders(reply: FastifyReply, key: KeyContext, balance: number, tier: Tier): void {
  reply.header(HEADER_BALANCE_SECONDS, String(balance));
  reply.header(HEADER_BALANCE_MINUTES, (balance / 60).toFixed(1));
  reply.header(HEADER_TIER, tier);
  if (key.minted) reply.header(HEADER_MINTED_KEY, key.raw);
}
