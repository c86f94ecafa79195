import { type History, type HistoryCall, HistoryQuerySchema } from "@clawcall/contract";
import type { FastifyInstance } from "fastify";
import { requireKey } from "../auth.ts";
import type { ApiContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import { echoesKey } from "../key-echo.ts";
import { viewOf } from "./calls.ts";

/**
 * GET /me/calls, the later revision's history (GET /calls keeps the seed-era pages). A key that is not
 * linked to an account sees its own calls, as on /calls, rather than a 401: it has a history too.
 */
export function registerHistoryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get("/me/calls", async (req) => {
    const key = await requireKey(ctx, req);
    const q = HistoryQuerySchema.safeParse(req.query);
    if (!q.success) {
      throw new ApiError(
        "invalid_request",
        "`limit` must be 1-200, `direction` outbound or inbound, and `since` an ISO-8601 time.",
      );
    }
    const { direction, since, limit } = q.data;
    const owner = key.record.account_id ? { accountId: key.record.account_id } : { keyId: key.record.id };
    // Every call this service places is outbound; an inbound history is empty, not an error.
    const rows =
      direction === "inbound"
        ? []
        : await ctx.calls.store.history(
            owner,
            since === undefined ? undefined : new Date(since).toISOString(),
            limit + 1,
          );
    const now = new Date();
    const echo = echoesKey(req);
    const calls: HistoryCall[] = [];
    for (const row of rows.slice(0, limit)) {
      const until = row.recording_url ? row.recording_expires_at : null;
      const expired = until !== null && Date.parse(until) <= now.getTime();
      const { api_key, ...view } = await viewOf(ctx, key, row);
      calls.push({
        ...view,
        ...(echo ? { api_key } : {}),
        recording_available_until: until,
        recording_expired: expired,
      });
    }
    const body: History = {
      calls,
      recordingWindowMinutes: ctx.config.limits.recordingTtlSeconds / 60,
      has_more: rows.length > limit,
      ...(echo ? { api_key: key.raw } : {}),
    };
    return body;
  });
}
