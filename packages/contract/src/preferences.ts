import { z } from "zod";
import { TEXT_FIELD_MAX_CHARS, VoiceSchema } from "./call.ts";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const text = z
  .string()
  .max(TEXT_FIELD_MAX_CHARS)
  .refine((v) => !LONE_SURROGATE.test(v), "must be valid Unicode text")
  .nullable()
  .optional();

/**
 * PUT /me/call-preferences replaces the whole set (the later revision's REST semantics): an omitted or
 * null field is cleared. `inbound` may only be null: this service answers no inbound calls.
 */
export const CallPreferencesInputSchema = z.strictObject({
  voice: VoiceSchema.nullable().optional(),
  personality: text,
  greeting: text,
  /** What the agent will say to the user when a hand-off to them connects. */
  warm_greeting: text,
  inbound: z.null().optional(),
});
export type CallPreferencesInput = z.infer<typeof CallPreferencesInputSchema>;

export const CallPreferencesSchema = z.object({
  /** At least one preference is set. */
  configured: z.boolean(),
  voice: VoiceSchema.nullable(),
  personality: z.string().nullable(),
  greeting: z.string().nullable(),
  warm_greeting: z.string().nullable(),
  inbound: z.null(),
  api_key: z.string(),
});
export type CallPreferences = z.infer<typeof CallPreferencesSchema>;
