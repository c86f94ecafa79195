import { z } from "zod";

export const LOW_BALANCE_SECONDS = 120;

/**
 * `free` until the account has bought time (or the operator granted it): a key on its own allowance, or an
 * account that signed up and bought nothing. `paid` once time was bought. Admission does not read the tier:
 * an unlinked key still gets `quota_exceeded`, a linked one `balance_depleted` (the seed's codes).
 */
export const TierSchema = z.enum(["free", "paid"]);
export type Tier = z.infer<typeof TierSchema>;

/** The later revision's trial view of a free-tier balance; this service counts seconds, not calls. */
export const TrialSchema = z.object({
  allowed: z.boolean(),
  remainingSeconds: z.number().int(),
  remainingCalls: z.null(),
});
export type Trial = z.infer<typeof TrialSchema>;

/**
 * The later revision's entitlement fields, beside the seed's counters. This service sells time, not
 * subscriptions, so `unlimited` is false and `plan` null; `trial` is set on the free tier.
 */
export const StandingSchema = z.object({
  unlimited: z.literal(false),
  plan: z.null(),
  trial: TrialSchema.nullable(),
});
export type Standing = z.infer<typeof StandingSchema>;

export const BalanceSchema = z
  .object({
    balance_seconds: z.number().int(),
    balance_minutes: z.number(),
    tier: TierSchema,
    low_balance: z.boolean(),
    /**
     * The request's key, as the seed promises in every response; left out for the later revision's MCP
     * client, which shows this body whole to a model (see the server's api/key-echo.ts).
     */
    api_key: z.string().optional(),
  })
  .extend(StandingSchema.shape);
export type Balance = z.infer<typeof BalanceSchema>;

/** Both revisions' spellings: the seed era's snake_case and the later camelCase. */
export const MeSchema = z
  .object({
    user_id: z.string(),
    userId: z.string(),
    email: z.string(),
    balance_seconds: z.number().int(),
    balanceSeconds: z.number().int(),
    tier: TierSchema,
    api_key: z.string(),
  })
  .extend(StandingSchema.shape);
export type Me = z.infer<typeof MeSchema>;

export const HEADER_API_KEY = "x-api-key";
export const HEADER_MINTED_KEY = "x-clawcall-api-key";
export const HEADER_BALANCE_SECONDS = "x-clawcall-balance-seconds";
export const HEADER_BALANCE_MINUTES = "x-clawcall-balance-minutes";
/** The later revision's header: `free` or `paid`, on every response made with or for a key. */
export const HEADER_TIER = "x-clawcall-tier";
/** POST /call: the same key and body within 24 h return the first call instead of placing another. */
export const HEADER_IDEMPOTENCY_KEY = "idempotency-key";
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
export const API_KEY_PREFIX = "clawcall_sk_";
export const API_KEY_PATTERN = /^clawcall_sk_[A-Za-z0-9_-]{43,}$/;
