import { z } from "zod";
import { StandingSchema } from "./account.ts";
import { CallResultSchema } from "./call-result.ts";
import { PhoneNumberSchema } from "./phone.ts";
import { SandboxReportSchema } from "./sandbox-verdict.ts";

export const VOICES = ["jessica", "sarah", "chris", "eric"] as const;
export const VoiceSchema = z.enum(VOICES);
export type Voice = z.infer<typeof VoiceSchema>;
/** The voice a call speaks in when its request names none. */
export const DEFAULT_VOICE: Voice = "jessica";

export const TASK_MAX_CHARS = 8000;
export const TEXT_FIELD_MAX_CHARS = 2000;

/** Half of a UTF-16 surrogate pair without its other half: not text, and no speech engine can say it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (v: string) => !LONE_SURROGATE.test(v);
const NOT_UNICODE = "must be valid Unicode text";

export const CallRequestSchema = z.object({
  to: PhoneNumberSchema.describe("The number to call, +1 then 10 digits."),
  task: z
    .string()
    .trim()
    .min(1)
    .max(TASK_MAX_CHARS)
    .refine(wellFormed, NOT_UNICODE)
    // A briefing with no words (only symbols or control characters) gives the agent nothing to do.
    .refine((v) => /\p{L}/u.test(v), "must say in words what the call is for")
    .describe("The whole briefing of the phone agent."),
  personality: z
    .string()
    .max(TEXT_FIELD_MAX_CHARS)
    .refine(wellFormed, NOT_UNICODE)
    .optional()
    .describe("Who the agent is."),
  greeting: z
    .string()
    .max(TEXT_FIELD_MAX_CHARS)
    .refine(wellFormed, NOT_UNICODE)
    .optional()
    .describe("The opening line's intent."),
  voice: VoiceSchema.optional().describe("The agent's voice; jessica when absent."),
  bridge_number: PhoneNumberSchema.optional().describe("The user's own number, for live handoff."),
  loop_in_user: z
    .boolean()
    .optional()
    .describe(
      "The later revision's hand-off to the account's verified phone: true asks for it, false turns any hand-off off (bridge_number included).",
    ),
  warm_greeting: z
    .string()
    .max(TEXT_FIELD_MAX_CHARS)
    .refine(wellFormed, NOT_UNICODE)
    .optional()
    .describe("What the agent says to the user when a hand-off to them connects."),
  webhook_url: z
    .string()
    .max(2000)
    .optional()
    .describe(
      "An https URL told of this call's events, signed with the wallet's webhook secret (see /me/webhook).",
    ),
});
export type CallRequest = z.infer<typeof CallRequestSchema>;

export const CallCreatedSchema = z.object({
  call_id: z.string(),
  id: z.string(),
  status: z.literal("queued"),
  message: z.string(),
  api_key: z.string(),
  /**
   * The webhook signing secret, made for this wallet by the call's `webhook_url`: only in the answer that
   * made it, never again.
   */
  webhook_secret: z.string().optional(),
});
export type CallCreated = z.infer<typeof CallCreatedSchema>;

/** The seed's lifecycle. */
export const CALL_STATUSES = ["queued", "ringing", "in_progress", "completed", "failed"] as const;
export const CallStatusSchema = z.enum(CALL_STATUSES);
export type CallStatus = z.infer<typeof CallStatusSchema>;

/** The later revision's lifecycle. */
export const LIFECYCLES = ["queued", "dialing", "answered", "finalized"] as const;
export const LifecycleSchema = z.enum(LIFECYCLES);
export type Lifecycle = z.infer<typeof LifecycleSchema>;

export const FAIL_REASONS = [
  "no_answer",
  "busy",
  "call_rejected",
  "invalid_number",
  "unreachable",
  "dial_failed",
  "network_error",
  "cancelled",
] as const;
export const FailReasonSchema = z.enum(FAIL_REASONS);

/**
 * failReasons after which a client places the call once more on its own, without asking the user (the
 * skill's rule); never no_answer, busy or call_rejected: a person may have heard it ring.
 */
export const SILENTLY_REPLACEABLE_REASONS: ReadonlySet<FailReason> = new Set([
  "dial_failed",
  "network_error",
]);
export type FailReason = z.infer<typeof FailReasonSchema>;

export const OUTCOMES = [
  "answered",
  "no_answer",
  "busy",
  "rejected",
  "invalid_number",
  "unreachable",
  "network_error",
  "cancelled",
  "system_error",
  "failed",
] as const;
export const OutcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof OutcomeSchema>;

export const OutcomeReasonSchema = z.object({
  code: z.string(),
  title: z.string(),
  message: z.string(),
  retryable: z.boolean(),
});
export type OutcomeReason = z.infer<typeof OutcomeReasonSchema>;

export const OutcomeDetailSchema = z.object({
  /**
   * The carrier's cause, or the later revision's Q.850 name where the carrier gave none: an answered call
   * that ended normally is `normal_clearing`.
   */
  hangup_cause: z.string().nullable(),
  sip_hangup_cause: z.string().nullable(),
  hangup_source: z.enum(["caller", "callee", "system", "unknown"]).nullable(),
  reason: OutcomeReasonSchema,
  /** The later revision's field: the carrier's own error code when it refused or broke the call. */
  provider_error_code: z.string().nullable().optional(),
});
export type OutcomeDetail = z.infer<typeof OutcomeDetailSchema>;

export const TRANSCRIPT_ROLES = ["assistant", "user", "tool", "system"] as const;
export const TranscriptEntrySchema = z.object({
  role: z.enum(TRANSCRIPT_ROLES),
  text: z.string(),
  timestamp: z.string(),
  tool: z.string().optional(),
  toolArgs: z.record(z.string(), z.unknown()).optional(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;

export const CallTimestampsSchema = z.object({
  queued_at: z.string(),
  dialing_at: z.string().nullable(),
  answered_at: z.string().nullable(),
  finalized_at: z.string().nullable(),
});
export type CallTimestamps = z.infer<typeof CallTimestampsSchema>;

/** How a live handoff went: ringing while the user's phone rings, then how it ended. */
export const HANDOFF_STATUSES = ["ringing", "connected", "no_answer", "busy", "rejected", "failed"] as const;
export const HandoffStatusSchema = z.enum(HANDOFF_STATUSES);
export type HandoffStatus = z.infer<typeof HandoffStatusSchema>;

export const HandoffSchema = z.object({
  status: HandoffStatusSchema,
  /** When the agent started ringing the user. */
  at: z.string(),
  /** How long the user's phone rang before it connected or gave up; null while it still rings. */
  ring_seconds: z.number().nonnegative().nullable(),
});
export type Handoff = z.infer<typeof HandoffSchema>;

export const CallViewSchema = z.object({
  call_id: z.string(),
  id: z.string(),
  status: CallStatusSchema,
  lifecycle: LifecycleSchema,
  failReason: FailReasonSchema.optional(),
  outcome: OutcomeSchema.optional(),
  outcome_detail: OutcomeDetailSchema.optional(),
  to: z.string(),
  numbers: z.object({ to: z.string(), from: z.string().nullable(), bridge_from: z.string().nullable() }),
  task: z.string(),
  personality: z.string().nullable(),
  greeting: z.string().nullable(),
  voice: VoiceSchema,
  direction: z.literal("outbound"),
  /** The later revision's field: the AI agent conducts every call here (optional to read older servers). */
  handling_mode: z.literal("agent").optional(),
  transcript: z.array(TranscriptEntrySchema).nullable(),
  /**
   * Our extension: the live handoff (`bridge_number`), null when none was tried. Optional to read, so a
   * client also parses a server from before it existed.
   */
  handoff: HandoffSchema.nullable().optional(),
  recordingUrl: z.string().nullable(),
  recording_url: z.string().nullable(),
  talk_seconds: z.number().int().nullable(),
  timestamps: CallTimestampsSchema,
  /**
   * What came of the call; present once the call is final (absent on calls finalized before it existed).
   * Null when no result could be made, with the reason in `result_unavailable`.
   */
  result: CallResultSchema.nullable().optional(),
  result_unavailable: z.string().optional(),
  _meta: z
    .object({
      balance_seconds: z.number().int(),
      /**
       * The call was answered and has ended, and the carrier is still saving its recording: the link
       * follows within seconds (carriers such as Telnyx save it after the hang-up).
       */
      recording_pending: z.boolean().optional(),
      /** Sandbox calls only, once final: what the callee did (see sandbox-verdict.ts). */
      sandbox: SandboxReportSchema.optional(),
    })
    // Always sent; optional to read, so a client also parses a server from before they existed.
    .extend(StandingSchema.partial().shape)
    .catchall(z.unknown()),
  api_key: z.string(),
});
export type CallView = z.infer<typeof CallViewSchema>;

export const CallListSchema = z.object({
  calls: z.array(CallViewSchema),
  has_more: z.boolean(),
  next_before: z.string().nullable(),
  api_key: z.string(),
});
export type CallList = z.infer<typeof CallListSchema>;

export const CallListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.string().min(1).max(100).optional(),
});

export const HangupResultSchema = z.object({
  /** The later revision's flag: the hang-up was accepted (also when the call had already ended). */
  success: z.literal(true),
  call_id: z.string(),
  id: z.string(),
  status: CallStatusSchema,
  lifecycle: LifecycleSchema,
  message: z.string(),
  api_key: z.string(),
});
export type HangupResult = z.infer<typeof HangupResultSchema>;

/** Server-Sent Event payloads of GET /call/{id}/events. */
export const CallEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("status"),
    status: CallStatusSchema,
    lifecycle: LifecycleSchema,
    failReason: FailReasonSchema.optional(),
    outcome: OutcomeSchema.optional(),
    at: z.string(),
  }),
  z.object({ type: z.literal("transcript"), entry: TranscriptEntrySchema }),
  /** What came of the call: sent once, right before the final status. */
  z.object({
    type: z.literal("result"),
    result: CallResultSchema.nullable(),
    result_unavailable: z.string().optional(),
  }),
]);
export type CallEvent = z.infer<typeof CallEventSchema>;

export const TERMINAL_STATUSES: ReadonlySet<CallStatus> = new Set(["completed", "failed"]);
