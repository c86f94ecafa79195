import { z } from "zod";

/**
 * What a sandbox callee did on a call, from its side: our sandbox-only extension, sent under the call's
 * `_meta.sandbox` so tests and `npm run eval` can judge a call by its outcome. The agent never sees it,
 * and a call on a real carrier never carries it.
 */

export const OfficeTopicSchema = z.enum(["hours", "address", "parking", "insurance", "cancellation_policy"]);
export type OfficeTopic = z.infer<typeof OfficeTopicSchema>;

/** One thing a callee did for the caller (or refused to). */
export const VerdictActionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("confirmed"), appointment: z.string() }),
  z.object({ action: z.literal("rescheduled"), appointment: z.string(), to: z.string() }),
  z.object({ action: z.literal("cancelled"), appointment: z.string() }),
  z.object({ action: z.literal("answered"), topic: OfficeTopicSchema }),
  /** A person took care of the stated purpose (the desk after a hold queue, the interrupter). */
  z.object({ action: z.literal("handled") }),
  z.object({ action: z.literal("menu_choice"), digit: z.string(), department: z.string() }),
  z.object({ action: z.literal("put_through") }),
  /** The person a handoff joined to the callee heard the callee and talked with it. */
  z.object({ action: z.literal("talked"), heard: z.string() }),
  /** The user a handoff rang heard this as they picked up, before being joined (`warm_greeting`). */
  z.object({ action: z.literal("greeted"), heard: z.string() }),
  /** Asked for a verification code, the phone's owner typed the one it was shown (or, 0119, a wrong one). */
  z.object({ action: z.literal("typed_code"), digits: z.number().int(), as_shown: z.boolean() }),
  /** What a mailbox kept after the beep; `complete` is false when the mailbox cut it off. */
  z.object({
    action: z.literal("message"),
    text: z.string(),
    complete: z.boolean(),
    states_purpose: z.boolean(),
  }),
  z.object({ action: z.literal("declined"), why: z.string() }),
  /** The callee asked for something the caller could not give, and told it so. */
  z.object({ action: z.literal("needs_info"), what: z.string() }),
]);
export type VerdictAction = z.infer<typeof VerdictActionSchema>;

export const SandboxVerdictSchema = z.object({
  persona: z.string(),
  actions: z.array(VerdictActionSchema),
  /** Why nothing was done for the caller, or null when something was. */
  nothing_done: z.string().nullable(),
});
export type SandboxVerdict = z.infer<typeof SandboxVerdictSchema>;

/** `_meta.sandbox` of a sandbox call once it is final: the callee's verdict, and the bridged person's. */
export const SandboxReportSchema = z.object({
  verdict: SandboxVerdictSchema,
  bridged: SandboxVerdictSchema.optional(),
});
export type SandboxReport = z.infer<typeof SandboxReportSchema>;
