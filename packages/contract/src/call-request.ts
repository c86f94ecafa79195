import { type CallRequest, CallRequestSchema, VOICES } from "./call.ts";
import type { ErrorCode } from "./errors.ts";
import { isNanpNumber, refusedDestinationReason } from "./phone.ts";
import { webhookUrlProblem } from "./webhooks.ts";

export type CallRequestCheck =
  | { ok: true; value: CallRequest }
  | { ok: false; code: ErrorCode; message: string; field?: string };

const fail = (code: ErrorCode, message: string, field?: string): CallRequestCheck =>
  field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/**
 * Validates a POST /call body in the order the contract promises (invalid_json, missing_fields,
 * invalid_phone, invalid_voice, unsupported_destination), then the rest of the schema.
 * `extraRefusal` lets the server refuse its own caller numbers without the contract knowing them.
 */
export function checkCallRequest(
  body: unknown,
  extraRefusal?: (e164: string) => string | null,
): CallRequestCheck {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return fail("invalid_json", "The request body must be a JSON object.");
  }
  const b = body as Record<string, unknown>;
  const missing = (["to", "task"] as const).filter((f) => isBlank(b[f]));
  if (missing.length > 0) {
    return fail(
      "missing_fields",
      `Missing required field${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}.`,
    );
  }
  if (!isNanpNumber(b.to)) {
    return fail("invalid_phone", "`to` must be a US or Canada number in the form +1XXXXXXXXXX.", "to");
  }
  if (!isBlank(b.bridge_number)) {
    if (!isNanpNumber(b.bridge_number)) {
      return fail(
        "invalid_phone",
        "`bridge_number` must be a US or Canada number in the form +1XXXXXXXXXX.",
        "bridge_number",
      );
    }
    if (b.bridge_number === b.to) {
      return fail("invalid_phone", "`bridge_number` must differ from `to`.", "bridge_number");
    }
  }
  if (b.voice !== undefined && b.voice !== null && !(VOICES as readonly unknown[]).includes(b.voice)) {
    return fail("invalid_voice", `\`voice\` must be one of: ${VOICES.join(", ")}.`, "voice");
  }
  for (const field of ["to", "bridge_number"] as const) {
    const number = b[field];
    if (typeof number !== "string" || isBlank(number)) continue;
    const why = refusedDestinationReason(number) ?? extraRefusal?.(number) ?? null;
    if (why !== null) return fail("unsupported_destination", `\`${field}\` cannot be called: ${why}.`, field);
  }
  // The later revision takes only a real boolean here: null or "yes" would otherwise pass as "not given"
  // and the call would go ahead without the hand-off the client asked for.
  if ("loop_in_user" in b && typeof b.loop_in_user !== "boolean") {
    return fail("invalid_loop_in_user", "`loop_in_user` must be true or false.", "loop_in_user");
  }
  if (!isBlank(b.webhook_url)) {
    const why = webhookUrlProblem(b.webhook_url);
    if (why !== null) return fail("invalid_webhook_url", `\`webhook_url\` ${why}.`, "webhook_url");
  }
  // Null is how many clients say "not given" for optional fields.
  const normalized = Object.fromEntries(Object.entries(b).filter(([, v]) => v !== null));
  if (isBlank(normalized.bridge_number)) delete normalized.bridge_number;
  if (isBlank(normalized.webhook_url)) delete normalized.webhook_url;
  const parsed = CallRequestSchema.safeParse(normalized);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "body";
    return fail("invalid_request", `\`${field}\` is invalid: ${issue?.message ?? "bad value"}.`, field);
  }
  // false turns the hand-off off, a legacy bridge_number included (the later revision's rule).
  if (parsed.data.loop_in_user === false) delete parsed.data.bridge_number;
  return { ok: true, value: parsed.data };
}
