import { z } from "zod";

export const LOW_BALANCE_SECONDS = 120;

export const BalanceSchema = z.object({
  balance_seconds: z.number().int(),
  balance_minutes: z.number(),
  tier: z.enum(["free", "paid"]),
  low_balance: z.boolean(),
  api_key: z.string(),
});
export type Balance = z.infer<typeof BalanceSchema>;

export const MeSchema = z.object({
  user_id: z.string(),
  email: z.string(),
  balance_seconds: z.number().int(),
  api_key: z.string(),
});
export type Me = z.infer<typeof MeSchema>;

export const HEADER_API_KEY = "x-api-key";
export const HEADER_MINTED_KEY = "x-clawcall-api-key";
export const HEADER_BALANCE_SECONDS = "x-clawcall-balance-seconds";
export const HEADER_BALANCE_MINUTES = "x-clawcall-balance-minutes";
/** POST /call: the same key and body within 24 h return the first call instead of placing another. */
export const HEADER_IDEMPOTENCY_KEY = "idempotency-key";
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
export const API_KEY_PREFIX = "clawcall_sk_";
export const API_KEY_PATTERN = /^clawcall_sk_[A-Za-z0-9_-]{43,}$/;
