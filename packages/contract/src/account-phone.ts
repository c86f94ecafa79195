import { z } from "zod";
import { PhoneNumberSchema } from "./phone.ts";

/** Digits of the code the account holder types on the phone's keypad during the verification call. */
export const PHONE_CODE_DIGITS = 6;

/** POST /me/phone: the number to verify (the phone-number rule of calls). */
export const AccountPhoneInputSchema = z.strictObject({
  phone: PhoneNumberSchema.describe("The account holder's own phone, +1 then 10 digits."),
});
export type AccountPhoneInput = z.infer<typeof AccountPhoneInputSchema>;

/**
 * Where a phone stands: `calling` while the verification call runs, `verified` once the right code was
 * typed, `failed` when the call ended without it (see `last_error`).
 */
export const ACCOUNT_PHONE_STATUSES = ["calling", "verified", "failed"] as const;
export const AccountPhoneStatusSchema = z.enum(ACCOUNT_PHONE_STATUSES);
export type AccountPhoneStatus = z.infer<typeof AccountPhoneStatusSchema>;

/** Why a verification call did not verify the phone. */
export const PHONE_VERIFICATION_ERRORS = [
  "wrong_code",
  "no_code",
  "not_answered",
  "call_failed",
  "expired",
] as const;
export const PhoneVerificationErrorSchema = z.enum(PHONE_VERIFICATION_ERRORS);
export type PhoneVerificationError = z.infer<typeof PhoneVerificationErrorSchema>;

export const AccountPhoneSchema = z.object({
  phone: z.string(),
  status: AccountPhoneStatusSchema,
  /** When the right code was typed; null until then. */
  verified_at: z.string().nullable(),
  /** Why the last verification call did not verify it; null otherwise. */
  last_error: PhoneVerificationErrorSchema.nullable(),
});
export type AccountPhone = z.infer<typeof AccountPhoneSchema>;

/** GET /me/phone: the account's phone, or null when it has none. */
export const AccountPhoneViewSchema = z.object({
  phone: AccountPhoneSchema.nullable(),
  api_key: z.string(),
});
export type AccountPhoneView = z.infer<typeof AccountPhoneViewSchema>;

/**
 * 202 of POST /me/phone: the service is calling the phone. `code` is what the account holder types on its
 * keypad when asked; the call never says it, so only someone who sees this answer can verify the phone.
 */
export const PhoneVerificationStartedSchema = z.object({
  phone: AccountPhoneSchema,
  code: z.string().regex(/^\d+$/),
  /** The code works on this call only, until then. */
  expires_at: z.string(),
  message: z.string(),
  api_key: z.string(),
});
export type PhoneVerificationStarted = z.infer<typeof PhoneVerificationStartedSchema>;
