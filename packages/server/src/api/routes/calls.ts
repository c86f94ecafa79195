import { CallListQuerySchema, type HangupResult } from "@clawcall/contract";
import type { FastifyInstance } from "fastify";
import { completeView } from "../../calls/call-view.ts";
import { isTerminal, lifecycleOf, statusOf } from "../../calls/states.ts";
import type { CallTable } from "../../store/schema.ts";
import { balanceOf, requireKey, standingOf } from "../auth.ts";
import { clientGroup } from "../client-address.ts";
import type { ApiContext, KeyContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import type { RequestFields } from "../final-calls.ts";
import { OpenStreams, streamCallEvents } from "./call-events.ts";
import { registerPlaceCall } from "./place-call.ts";

/** The call if this key may see it (its own, or its account's); otherwise 404 as for an unknown id. */
export async function ownedCall(ctx: ApiContext, key: KeyContext, callId: string): Promise<CallTable> {
  const row = callId.length <= 100 ? await callRow(ctx, callId) : undefined;
  if (row) {
    if (row.key_id === key.record.id) return row;
    if (key.record.account_id && (await ctx.billing.keys.accountOf(row.key_id)) === key.record.account_id) {
      return row;
    }
  }
  throw new ApiError("not_found", "No call with this id was found for this key.");
}

/** A call's row: kept in memory once it can no longer change, read from the store until then. */
async function callRow(ctx: ApiContext, callId: string): Promise<CallTable | undefined> {
  const kept = ctx.finalCalls.row(callId);
  if (kept) return kept;
  const row = await ctx.calls.get(callId);
  if (row) ctx.finalCalls.note(row);
  return row;
}

/** What a call's view takes from the request: the transcript, the key, its wallet's balance and standing. */
async function requestFields(ctx: ApiContext, key: KeyContext, row: CallTable): Promise<RequestFields> {
  return {
    transcript: await ctx.live.transcript(row.id),
    balanceSeconds: await balanceOf(ctx, key),
    standing: await standingOf(ctx, key),
    apiKey: key.raw,
    now: new Date(),
  };
}

export async function viewOf(ctx: ApiContext, key: KeyContext, row: CallTable, fields?: RequestFields) {
  const extras = fields ?? (await requestFields(ctx, key, row));
  return completeView(ctx.finalCalls.view(row), row, {
    ...extras,
    recordingMayFollow: ctx.recordingsFollowHangup,
  });
}

export function registerCallRoutes(app: FastifyInstance, ctx: ApiContext): void {
  registerPlaceCall(app, ctx);
  const streams = new OpenStreams(ctx.config.limits.streamsPerKey);

  app.get<{ Params: { id: string } }>("/call/:id", async (req, reply) => {
    const key = await requireKey(ctx, req);
    const row = await ownedCall(ctx, key, req.params.id);
    const fields = await requestFields(ctx, key, row);
    // A finished call's body is its kept text around this request's fields. Returned, not sent: an async
    // handler that returns the reply makes Fastify wait on it as a promise (a listener per request).
    const body = ctx.finalCalls.body(row, fields);
    if (body === null) return viewOf(ctx, key, row, fields);
    reply.type("application/json; charset=utf-8");
    return body;
  });

  app.post<{ Params: { id: string } }>("/call/:id/hangup", async (req) => {
    const key = await requireKey(ctx, req);
    const before = await ownedCall(ctx, key, req.params.id);
    if (!isTerminal(before.state)) await ctx.calls.hangup(before.id);
    const row = (await ctx.calls.get(before.id)) ?? before;
    const result: HangupResult = {
      success: true,
      call_id: row.id,
      id: row.id,
      status: statusOf(row.state, row.fail_reason),
      lifecycle: lifecycleOf(row.state),
      message: isTerminal(before.state) ? "The call had already ended." : "The call was ended.",
      api_key: key.raw,
    };
    return result;
  });

  app.get<{ Params: { id: string } }>("/call/:id/recording", async (req, reply) => {
    const key = await requireKey(ctx, req);
    const view = await viewOf(ctx, key, await ownedCall(ctx, key, req.params.id));
    if (!view.recordingUrl) {
      throw new ApiError(
        "recording_not_available",
        "This call has no recording, or its recording has expired.",
      );
    }
    return reply.redirect(view.recordingUrl, 302);
  });

  app.get<{ Params: { id: string } }>("/call/:id/events", async (req, reply) => {
    const key = await requireKey(ctx, req);
    const row = await ownedCall(ctx, key, req.params.id);
    if (!streams.open(key.record.id)) {
      ctx.limitLog.trip("event streams per key", clientGroup(req.ip));
      throw new ApiError(
        "rate_limited",
        `This key already has ${ctx.config.limits.streamsPerKey} event streams open. Close one, or poll GET /call/{id}.`,
        { retryAfterSeconds: 5 },
      );
    }
    reply.raw.once("close", () => streams.close(key.record.id));
    await streamCallEvents(ctx, row, req, reply);
  });

  app.get("/calls", async (req) => {
    const key = await requireKey(ctx, req);
    const q = CallListQuerySchema.safeParse(req.query);
    if (!q.success) throw new ApiError("invalid_request", "`limit` must be 1-100 and `before` a call id.");
    const { limit, before } = q.data;
    const cursor = before
      ? await ownedCall(ctx, key, before).catch(() => {
          throw new ApiError("invalid_request", "`before` must be the id of one of your calls.");
        })
      : null;
    const owner = key.record.account_id ? { accountId: key.record.account_id } : { keyId: key.record.id };
    const rows = await ctx.calls.store.list(owner, cursor, limit + 1);
    const page = rows.slice(0, limit);
    const calls = [];
    for (const r of page) calls.push(await viewOf(ctx, key, r));
    return {
      calls,
      has_more: rows.length > limit,
      next_before: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      api_key: key.raw,
    };
  });
}
