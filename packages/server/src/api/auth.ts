import {
  API_KEY_PATTERN,
  HEADER_API_KEY,
  HEADER_BALANCE_MINUTES,
  HEADER_BALANCE_SECONDS,
  HEADER_MINTED_KEY,
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
  const record = API_KEY_PATTERN.test(raw) ? await ctx.billing.keys.find(raw) : null;
  if (!record) throw new ApiError("invalid_api_key", "This API key is unknown or has been revoked.");
  await ctx.billing.keys.touch(record, new Date());
  req.key = { raw, record, minted: false };
  return req.key;
}

export async function balanceOf(ctx: ApiContext, key: KeyContext): Promise<number> {
  key.balance ??= await ctx.billing.balanceOf(key.record);
  return key.balance;
}

/** Every response made with or for a key carries the balance headers, and the key itself when minted. */
export async function addKeyHeaders(
  ctx: ApiContext,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const key = req.key;
  if (!key) return;
  const balance = await balanceOf(ctx, key);
  reply.header(HEADER_BALANCE_SECONDS, String(balance));
  reply.header(HEADER_BALANCE_MINUTES, (balance / 60).toFixed(1));
  if (key.minted) reply.header(HEADER_MINTED_KEY, key.raw);
}
