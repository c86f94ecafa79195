import {
  BalanceSchema,
  CallRequestSchema,
  CallStatusSchema,
  type CallView,
  CallViewSchema,
  TranscriptEntrySchema,
} from "@clawcall/contract";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { checkLocalTime } from "../cli/business-hours.ts";
import { callHeadline, formatCallReport, formatError, lowBalanceNote } from "../cli/format.ts";
import { withoutKey } from "../cli/io.ts";
import type { ClawCall } from "../sdk/client.ts";
import { ClawCallError } from "../sdk/errors.ts";

export interface McpServerOptions {
  now?: () => Date;
  /** Longest place_call_and_wait blocks before handing back a running call (default 10 minutes). */
  maxWaitSeconds?: number;
}

const CallToolOutputSchema = CallViewSchema.omit({ api_key: true }).extend({
  report: z
    .string()
    .describe("What to tell the user: what came of the call first (its result summary), then the details."),
  low_balance_note: z.string().nullable(),
  retried_call_ids: z
    .array(z.string())
    .describe("Earlier attempts retried silently (dial_failed, network_error)."),
  still_running: z.boolean().describe("True when waiting stopped before the call ended: poll get_call."),
});

const callIdInput = { call_id: z.string().min(1).describe("The call_id returned by place_call.") };

function ok<T extends Record<string, unknown>>(structured: T, text: string): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

function failure(error: unknown): CallToolResult {
  const text =
    error instanceof ClawCallError
      ? `${formatError(error)}\n${JSON.stringify({ error: error.toJSON() })}`
      : `Error: ${error instanceof Error ? error.message : String(error)}`;
  return { isError: true, content: [{ type: "text", text }] };
}

function callResult(call: CallView, retried: CallView[] = [], stillRunning = false): CallToolResult {
  const structured = {
    ...withoutKey(call),
    report: formatCallReport(call, { retried }),
    low_balance_note: lowBalanceNote(call._meta.balance_seconds),
    retried_call_ids: retried.map((c) => c.call_id),
    still_running: stillRunning,
  };
  return ok(structured, structured.report);
}

/** The ClawCall tools over one SDK client (and so the same key file as the CLI). */
export function createMcpServer(client: ClawCall, options: McpServerOptions = {}): McpServer {
  const now = options.now ?? (() => new Date());
  const server = new McpServer(
    { name: "clawcall", version: "0.1.0" },
    {
      instructions:
        "Place real phone calls (US and Canada, +1) that an AI voice agent conducts for the user. Put everything the agent needs in `task`. Lead your answer with the outcome and the number called: a final call's `result` (status, summary, cited facts, missing_info, next_steps) says what came of it; ask the user for its missing_info before calling back. Calls are recorded. Never retry no_answer, busy or call_rejected without asking the user. Send action URLs from errors verbatim.",
    },
  );

  const read = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
  const placing = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };

  server.registerTool(
    "place_call",
    {
      title: "Place a phone call",
      description:
        "Dials a real phone number; an AI agent holds the conversation described by `task`. Returns at once with a call_id: follow it with get_call every 3 s. Check get_local_time first: don't call a business that is obviously closed without asking the user.",
      inputSchema: CallRequestSchema.shape,
      outputSchema: {
        call_id: z.string(),
        status: CallStatusSchema,
        to: z.string(),
        local_time_warning: z.string().nullable(),
      },
      annotations: placing,
    },
    async (request, extra) => {
      try {
        const created = await client.placeCall(request, { signal: extra.signal });
        const warning = checkLocalTime(request.to, now())?.warning ?? null;
        const text = `Call ${created.call_id} to ${request.to} is ${created.status}. Poll get_call every 3 s.${warning ? `\n${warning}` : ""}`;
        return ok(
          { call_id: created.call_id, status: created.status, to: request.to, local_time_warning: warning },
          text,
        );
      } catch (e) {
        return failure(e);
      }
    },
  );

  server.registerTool(
    "place_call_and_wait",
    {
      title: "Place a phone call and wait for the result",
      description:
        "Dials, waits until the call is completed or failed (retrying dial_failed/network_error once, silently) and returns the outcome, transcript and recording link. Calls can take minutes. If `still_running` comes back true, keep polling get_call.",
      inputSchema: CallRequestSchema.shape,
      outputSchema: CallToolOutputSchema.shape,
      annotations: placing,
    },
    async (request, extra) => {
      const limit = AbortSignal.timeout((options.maxWaitSeconds ?? 600) * 1000);
      const signal = AbortSignal.any([extra.signal, limit]);
      const progressToken = extra._meta?.progressToken;
      let step = 0;
      const notify = (message: string) => {
        if (progressToken === undefined) return;
        void extra
          .sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress: ++step, message },
          })
          .catch(() => {});
      };
      let lastCallId: string | null = null;
      try {
        const result = await client.callAndWait(request, {
          signal,
          follow: "events",
          onPlaced: (created) => {
            lastCallId = created.call_id;
            notify(`calling ${request.to}`);
          },
          onStatus: (change) => notify(change.status),
        });
        return callResult(result.call, result.retried);
      } catch (e) {
        if (limit.aborted && !extra.signal.aborted && lastCallId) {
          return callResult(await client.getCall(lastCallId), [], true);
        }
        return failure(e);
      }
    },
  );

  server.registerTool(
    "get_local_time",
    {
      title: "Local time where a number is",
      description:
        "The callee's local time from the area code, and whether a business there is probably closed (before 8 AM, from 6 PM, weekends). Check before calling a business; if closed, ask the user first.",
      inputSchema: { to: CallRequestSchema.shape.to },
      outputSchema: {
        to: z.string(),
        time_zone: z.string().nullable(),
        local_time: z.string().nullable(),
        weekday: z.string().nullable(),
        outside_business_hours: z.boolean().nullable(),
        warning: z.string().nullable(),
      },
      annotations: { ...read, openWorldHint: false },
    },
    async ({ to }) => {
      const check = checkLocalTime(to, now());
      const structured = {
        to,
        time_zone: check?.timeZone ?? null,
        local_time: check?.localTime ?? null,
        weekday: check?.weekday ?? null,
        outside_business_hours: check?.outsideHours ?? null,
        warning: check?.warning ?? null,
      };
      const text = check
        ? (check.warning ?? `It is ${check.localTime} on ${check.weekday} there (${check.timeZone}).`)
        : "No local time is known for this area code.";
      return ok(structured, text);
    },
  );

  server.registerTool(
    "get_call",
    {
      title: "Get a call's status and result",
      description:
        "Status (queued → ringing → in_progress → completed | failed), failReason, outcome, transcript so far and recording link. Poll every 3 s, not faster, until completed or failed.",
      inputSchema: callIdInput,
      outputSchema: CallToolOutputSchema.shape,
      annotations: read,
    },
    async ({ call_id }, extra) => {
      try {
        const call = await client.getCall(call_id, { signal: extra.signal });
        return callResult(call, [], call.status !== "completed" && call.status !== "failed");
      } catch (e) {
        return failure(e);
      }
    },
  );

  server.registerTool(
    "get_transcript",
    {
      title: "Get a call's transcript",
      description:
        "What was said, line by line (assistant = our agent, user = the person called). Kept one hour.",
      inputSchema: callIdInput,
      outputSchema: {
        call_id: z.string(),
        status: CallStatusSchema,
        transcript: z.array(TranscriptEntrySchema).nullable(),
      },
      annotations: read,
    },
    async ({ call_id }, extra) => {
      try {
        const call = await client.getCall(call_id, { signal: extra.signal });
        const lines = (call.transcript ?? []).map((e) => `${e.role}: ${e.text}`).join("\n");
        const text = call.transcript === null ? "The transcript is no longer kept." : lines || "(empty)";
        return ok({ call_id: call.call_id, status: call.status, transcript: call.transcript }, text);
      } catch (e) {
        return failure(e);
      }
    },
  );

  server.registerTool(
    "hangup_call",
    {
      title: "Hang up a call",
      description: "Ends a call in progress, or cancels one not yet answered. Repeating it is harmless.",
      inputSchema: callIdInput,
      outputSchema: { call_id: z.string(), status: CallStatusSchema, message: z.string() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    async ({ call_id }, extra) => {
      try {
        const r = await client.hangup(call_id, { signal: extra.signal });
        return ok(
          { call_id: r.call_id, status: r.status, message: r.message },
          `Call ${r.call_id}: ${r.message}.`,
        );
      } catch (e) {
        return failure(e);
      }
    },
  );

  server.registerTool(
    "list_calls",
    {
      title: "List calls",
      description: "The user's calls, newest first. Pass next_before as `before` for the next page.",
      inputSchema: {
        limit: z.number().int().min(1).max(100).optional().describe("Page size (default 20)."),
        before: z.string().optional().describe("next_before from the previous page."),
      },
      outputSchema: {
        calls: z.array(
          z.object({
            call_id: z.string(),
            to: z.string(),
            status: CallStatusSchema,
            summary: z.string(),
            queued_at: z.string(),
          }),
        ),
        has_more: z.boolean(),
        next_before: z.string().nullable(),
      },
      annotations: read,
    },
    async ({ limit, before }, extra) => {
      try {
        const page = await client.listCalls(
          { ...(limit ? { limit } : {}), ...(before ? { before } : {}) },
          { signal: extra.signal },
        );
        const calls = page.calls.map((c) => ({
          call_id: c.call_id,
          to: c.to,
          status: c.status,
          summary: c.result?.summary ?? callHeadline(c),
          queued_at: c.timestamps.queued_at,
        }));
        const text =
          calls.map((c) => `${c.call_id}  ${c.queued_at}  ${c.summary}`).join("\n") || "No calls yet.";
        return ok({ calls, has_more: page.has_more, next_before: page.next_before }, text);
      } catch (e) {
        return failure(e);
      }
    },
  );

  server.registerTool(
    "get_balance",
    {
      title: "Get the call-time balance",
      description:
        "Seconds and minutes left. No need to check before every call: just call and handle errors.",
      inputSchema: {},
      outputSchema: BalanceSchema.omit({ api_key: true }).shape,
      annotations: read,
    },
    async (_args, extra) => {
      try {
        const b = withoutKey(await client.balance({ signal: extra.signal }));
        const note = b.low_balance ? " You're running low on call minutes." : "";
        return ok(b, `${b.balance_minutes} minutes left (${b.tier}).${note}`);
      } catch (e) {
        return failure(e);
      }
    },
  );

  server.registerTool(
    "get_recording_link",
    {
      title: "Get a call's recording link",
      description: "A temporary link to the recording; it expires about 10 minutes after the call.",
      inputSchema: callIdInput,
      outputSchema: { call_id: z.string(), recording_url: z.string().nullable() },
      annotations: read,
    },
    async ({ call_id }, extra) => {
      try {
        const url = await client.recordingLink(call_id, { signal: extra.signal });
        return ok(
          { call_id, recording_url: url },
          url ?? "No recording is available for this call (any more).",
        );
      } catch (e) {
        return failure(e);
      }
    },
  );

  server.registerTool(
    "get_account_link",
    {
      title: "Get the sign-up / sign-in links",
      description:
        "Links that attach the user's key (and its minutes) to a ClawCall account. Send them verbatim: they are personal.",
      inputSchema: {},
      outputSchema: { sign_up_url: z.string(), sign_in_url: z.string() },
      annotations: { ...read, idempotentHint: true },
    },
    async () => {
      try {
        const links = await client.accountLinks();
        return ok({ ...links }, `Sign up: ${links.sign_up_url}\nSign in: ${links.sign_in_url}`);
      } catch (e) {
        return failure(e);
      }
    },
  );

  return server;
}
