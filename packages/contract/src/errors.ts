import { z } from "zod";
import { TierSchema } from "./account.ts";
import { SILENTLY_REPLACEABLE_REASONS } from "./call.ts";

/** Every error code the API can return, with its HTTP status. The table in spec/api.md plus the generic ones. */
export const ERROR_STATUS = {
  invalid_json: 400,
  missing_fields: 400,
  invalid_phone: 400,
  invalid_voice: 400,
  invalid_request: 400,
  invalid_preferences: 400,
  invalid_loop_in_user: 400,
  invalid_loop_in_destination: 400,
  unsupported_destination: 400,
  auth_required: 401,
  invalid_api_key: 401,
  invalid_credentials: 401,
  not_found: 404,
  request_timeout: 408,
  recording_not_available: 404,
  email_taken: 409,
  idempotency_conflict: 409,
  account_phone_unavailable: 422,
  payload_too_large: 413,
  headers_too_large: 431,
  quota_exceeded: 429,
  balance_depleted: 429,
  rate_limited: 429,
  too_many_active_calls: 429,
  internal_error: 500,
  dial_failed: 502,
  number_pool_exhausted: 503,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];
export const ErrorCodeSchema = z.enum(ERROR_CODES);

export const QuotaSchema = z.object({
  used_seconds: z.number().int(),
  remaining_seconds: z.number().int(),
  limit_seconds: z.number().int(),
  tier: TierSchema,
});
export type Quota = z.infer<typeof QuotaSchema>;

export const ErrorActionSchema = z.object({
  type: z.enum(["sign_up", "purchase"]),
  url: z.string(),
  sign_in_url: z.string().optional(),
  message: z.string().optional(),
});
export type ErrorAction = z.infer<typeof ErrorActionSchema>;

export const ErrorBodySchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    action: ErrorActionSchema.optional(),
    quota: QuotaSchema.optional(),
  }),
  api_key: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Refusals of POST /call a client may re-send on its own, once, without asking the user (the skill's rule). */
export const SILENTLY_RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  "dial_failed",
  "number_pool_exhausted",
]);

/** Both of the skill's silent-retry sets in one: the refusal codes and the failReasons. */
export const SILENTLY_RETRYABLE: ReadonlySet<string> = new Set([
  ...SILENTLY_RETRYABLE_CODES,
  ...SILENTLY_REPLACEABLE_REASONS,
]);
