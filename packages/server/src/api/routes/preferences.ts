import { type CallPreferences, CallPreferencesInputSchema, type CallRequest } from "@clawcall/contract";
import type { FastifyInstance } from "fastify";
import type { StoredPreferences } from "../../billing/call-preferences.ts";
import { walletOf } from "../../billing/keys.ts";
import { INVALID_JSON } from "../app.ts";
import { requireKey } from "../auth.ts";
import type { ApiContext, KeyContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "./json-body.ts";

/**
 * GET|PUT|DELETE /me/call-preferences (the later revision's). Any key may keep them: an unlinked key's
 * are its own, a linked key's are its account's, shared by every key of that account.
 */
export function registerPreferenceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const view = (key: KeyContext, p: StoredPreferences): CallPreferences => ({
    configured: Object.values(p).some((v) => v !== null),
    ...p,
    inbound: null,
    api_key: key.raw,
  });

  app.get("/me/call-preferences", async (req) => {
    const key = await requireKey(ctx, req);
    return view(key, await ctx.billing.preferences.get(walletOf(key.record)));
  });

  app.put("/me/call-preferences", async (req) => {
    const key = await requireKey(ctx, req);
    const body = jsonBody(req);
    if (body === INVALID_JSON || typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new ApiError("invalid_json", "Send the preferences as a JSON object.");
    }
    const parsed = CallPreferencesInputSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || (issue && "keys" in issue ? String(issue.keys) : "");
      throw new ApiError(
        "invalid_preferences",
        `Invalid preference${field ? ` \`${field}\`` : ""}: voice is one of jessica, sarah, chris, eric; personality, greeting and warm_greeting are text of at most 2000 characters; inbound may only be null (this service answers no inbound calls).`,
      );
    }
    const saved = await ctx.billing.preferences.put(walletOf(key.record), parsed.data, new Date());
    return view(key, saved);
  });

  app.delete("/me/call-preferences", async (req) => {
    const key = await requireKey(ctx, req);
    await ctx.billing.preferences.clear(walletOf(key.record));
    return view(key, await ctx.billing.preferences.get(walletOf(key.record)));
  });
}

/** Fills what the request left out from the owner's preferences; what the request says always wins. */
export async function withPreferences(
  ctx: ApiContext,
  key: Pick<KeyContext, "record">,
  request: CallRequest,
): Promise<CallRequest> {
  const given = [request.voice, request.personality, request.greeting, request.warm_greeting];
  if (given.every((v) => v !== undefined)) return request;
  const p = await ctx.billing.preferences.get(walletOf(key.record));
  return {
    ...request,
    ...(request.voice === undefined && p.voice !== null ? { voice: p.voice } : {}),
    ...(request.personality === undefined && p.personality !== null ? { personality: p.personality } : {}),
    ...(request.greeting === undefined && p.greeting !== null ? { greeting: p.greeting } : {}),
    // Said to the user when a hand-off to them connects; kept with the call like the others.
    ...(request.warm_greeting === undefined && p.warm_greeting !== null
      ? { warm_greeting: p.warm_greeting }
      : {}),
  };
}
