import { CallPreferencesInputSchema, CallRequestSchema } from "@clawcall/contract";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { type ApiAnswer, type ApiCaller, KEY_HIDDEN } from "./api-caller.ts";

/** Reads only this account's own records. */
const READ: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
/** Dials a real phone and spends call time: nothing about it can be taken back. */
const DIAL: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};

const callId = { call_id: z.string().min(1).max(100).describe("The call_id that place_call returned.") };

/** A guide topic: our pages under /guides/v1/, and the hosted service's topic names for them. */
const GUIDES: Readonly<Record<string, string>> = {
  index: "index.md",
  skill: "skill.md",
  outbound: "skill.md",
  "writing-a-task": "writing-a-task.md",
  examples: "writing-a-task.md",
  "outcomes-and-errors": "outcomes-and-errors.md",
  errors: "outcomes-and-errors.md",
  results: "results.md",
  "live-handoff": "live-handoff.md",
};

const FINAL = new Set(["completed", "failed"]);
const text = (t: string, structured?: Record<string, unknown>): CallToolResult => ({
  content: [{ type: "text", text: t }],
  ...(structured ? { structuredContent: structured } : {}),
});

/** Registers every remote tool on a server that acts through `api` (one caller's key). */
export function registerTools(
  server: McpServer,
  api: ApiCaller,
  options: { maxWaitSeconds: number; webhooks: boolean },
): void {
  /** The API's answer as a tool result: errors as tool errors (the model reads and handles them). */
  const answer = (res: ApiAnswer, headline: (body: Record<string, unknown>) => string): CallToolResult => {
    const body = api.withoutKey(res.body ?? { message: res.text });
    if (res.status >= 400) {
      const e = (body as { error?: { code?: string; message?: string } }).error;
      const flat = JSON.stringify(body);
      const hidden = flat.includes(KEY_HIDDEN)
        ? `\n${KEY_HIDDEN} stands for the API key, which tools never show: the personal link works with the user's own key in its place.`
        : "";
      return {
        isError: true,
        content: [
          {
            type: "text",
            text: `Error ${e?.code ?? res.status}: ${e?.message ?? ""}\n${flat}${hidden}`,
          },
        ],
      };
    }
    return text(`${headline(body)}\n${JSON.stringify(body, null, 2)}`, body);
  };
  const getCall = (id: string) => api.call("GET", `/call/${encodeURIComponent(id)}`);

  server.registerTool(
    "place_call",
    {
      title: "Place a phone call",
      description:
        "Dials a real phone number (US and Canada, +1); an AI agent holds the conversation that `task` describes. Returns at once with a call_id: follow it with get_call about every 3 s until the lifecycle is finalized.",
      inputSchema: CallRequestSchema.shape,
      annotations: DIAL,
    },
    async (request) =>
      answer(await api.call("POST", "/call", request), (b) => `Call ${b["call_id"]} is ${b["status"]}.`),
  );

  server.registerTool(
    "place_call_and_wait",
    {
      title: "Place a phone call and wait for the result",
      description:
        "Dials like place_call, then waits until the call ends and returns its outcome, result and transcript. Calls can take minutes; if `still_running` is true, keep polling get_call.",
      inputSchema: CallRequestSchema.shape,
      annotations: DIAL,
    },
    async (request, extra) => {
      const placed = await api.call("POST", "/call", request);
      if (placed.status >= 400) return answer(placed, () => "");
      const id = String(placed.body.call_id);
      const progressToken = extra._meta?.progressToken;
      const until = Date.now() + options.maxWaitSeconds * 1000;
      let step = 0;
      let last = "";
      for (;;) {
        const res = await getCall(id);
        const status = String(res.body?.status ?? "");
        if (res.status >= 400 || FINAL.has(status) || Date.now() > until || extra.signal.aborted) {
          const stillRunning = res.status < 400 && !FINAL.has(status);
          return answer(
            { ...res, body: res.status < 400 ? { ...res.body, still_running: stillRunning } : res.body },
            (b) => `Call ${id} is ${b["status"]}.`,
          );
        }
        if (status !== last && progressToken !== undefined)
          await extra
            .sendNotification({
              method: "notifications/progress",
              params: { progressToken, progress: ++step, message: status },
            })
            .catch(() => {});
        last = status;
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
  );

  server.registerTool(
    "get_call",
    {
      title: "Get a call's status and result",
      description:
        "Status (queued, ringing, in_progress, completed, failed), lifecycle, outcome, result, transcript so far and recording link. Poll about every 3 s until the lifecycle is finalized.",
      inputSchema: callId,
      annotations: READ,
    },
    async ({ call_id }) => answer(await getCall(call_id), (b) => `Call ${b["call_id"]} is ${b["status"]}.`),
  );

  const transcript = async ({ call_id }: { call_id: string }) => {
    const res = await getCall(call_id);
    if (res.status >= 400) return answer(res, () => "");
    const lines = res.body.transcript as { role: string; text: string }[] | null;
    const body = { call_id, status: res.body.status, transcript: lines };
    const said =
      lines === null
        ? "The transcript is no longer kept."
        : lines.map((l) => `${l.role}: ${l.text}`).join("\n");
    return text(said || "(nothing said yet)", body);
  };
  for (const name of ["get_call_transcript", "get_transcript"])
    server.registerTool(
      name,
      {
        title: "Get a call's transcript",
        description:
          "What was said, line by line (assistant is our agent, user the person called). Kept one hour.",
        inputSchema: callId,
        annotations: READ,
      },
      transcript,
    );

  server.registerTool(
    "hangup_call",
    {
      title: "Hang up a call",
      description: "Ends a call in progress, or cancels one not yet answered. Repeating it is harmless.",
      inputSchema: callId,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    async ({ call_id }) =>
      answer(await api.call("POST", `/call/${encodeURIComponent(call_id)}/hangup`), (b) =>
        String(b["message"]),
      ),
  );

  server.registerTool(
    "list_calls",
    {
      title: "List calls",
      description: "The account's calls, newest first, with each one's status and result.",
      inputSchema: {
        limit: z.number().int().min(1).max(200).optional().describe("How many (default 25)."),
        direction: z
          .enum(["outbound", "inbound"])
          .optional()
          .describe("This service places outbound calls only."),
        since: z.string().max(40).optional().describe("ISO-8601 time: calls finalized at or after it."),
      },
      annotations: READ,
    },
    async ({ limit, direction, since }) => {
      const q = new URLSearchParams({ limit: String(limit ?? 25) });
      if (direction) q.set("direction", direction);
      if (since) q.set("since", since);
      return answer(
        await api.call("GET", `/me/calls?${q}`),
        (b) => `${(b["calls"] as unknown[]).length} calls.`,
      );
    },
  );

  const recording = async ({ call_id }: { call_id: string }) => {
    const res = await getCall(call_id);
    if (res.status >= 400) return answer(res, () => "");
    const url = (res.body.recording_url as string | null) ?? null;
    return text(url ?? "No recording is available for this call (any more).", {
      call_id,
      recording_url: url,
    });
  };
  for (const name of ["get_recording", "get_recording_link"])
    server.registerTool(
      name,
      {
        title: "Get a call's recording link",
        description: "A temporary link to the call's recording; it expires about 10 minutes after the call.",
        inputSchema: callId,
        annotations: READ,
      },
      recording,
    );

  server.registerTool(
    "get_balance",
    {
      title: "Get the call-time balance and usage",
      description: "Seconds and minutes left, and the tier. No need to check before every call.",
      inputSchema: {},
      annotations: READ,
    },
    async () =>
      answer(
        await api.call("GET", "/balance"),
        (b) => `${b["balance_minutes"]} minutes left (${b["tier"]}).`,
      ),
  );

  server.registerTool(
    "get_calling_guide",
    {
      title: "Read a calling guide",
      description:
        "How to use ClawCall well: skill (or outbound) for the whole workflow, writing-a-task (or examples), outcomes-and-errors (or errors), results, live-handoff, index.",
      inputSchema: { topic: z.enum(Object.keys(GUIDES) as [string, ...string[]]).optional() },
      annotations: READ,
    },
    async ({ topic }) => {
      const res = await api.call("GET", `/guides/v1/${GUIDES[topic ?? "skill"]}`);
      return res.status >= 400 ? answer(res, () => "") : text(res.text);
    },
  );

  server.registerTool(
    "get_call_settings",
    {
      title: "Get the call settings",
      description: "The defaults every call uses when it leaves them out: voice, personality, greeting.",
      inputSchema: {},
      annotations: READ,
    },
    async () => answer(await api.call("GET", "/me/call-preferences"), () => "The account's call settings:"),
  );

  server.registerTool(
    "update_call_settings",
    {
      title: "Change the call settings",
      description:
        "Changes the named defaults (null clears one) and keeps the others. A call's own voice, personality and greeting still win.",
      inputSchema: CallPreferencesInputSchema.omit({ inbound: true }).shape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (changes) => {
      const current = await api.call("GET", "/me/call-preferences");
      if (current.status >= 400) return answer(current, () => "");
      const { voice, personality, greeting, warm_greeting } = current.body;
      const next: Record<string, unknown> = { voice, personality, greeting, warm_greeting };
      for (const [name, value] of Object.entries(changes)) if (value !== undefined) next[name] = value;
      return answer(
        await api.call("PUT", "/me/call-preferences", next),
        () => "Saved. The call settings are now:",
      );
    },
  );

  // The account webhook API may be absent from a build; the tool is offered only where it is served.
  if (options.webhooks)
    server.registerTool(
      "connect_webhook",
      {
        title: "Connect a webhook",
        description:
          "Subscribes an https URL to the account's call events (replacing any earlier one). The signing secret comes back once: hand it to the user for their receiver, not into a call.",
        inputSchema: {
          url: z.string().max(2000).describe("The https:// URL that receives the events."),
          events: z
            .array(z.string().max(40))
            .max(10)
            .optional()
            .describe("Event types, e.g. call.started, call.status, call.transcript, call.completed."),
          rotate_secret: z.boolean().optional().describe("Make a new signing secret."),
        },
        annotations: {
          readOnlyHint: false,
          destructiveHint: true,
          idempotentHint: true,
          openWorldHint: true,
        },
      },
      async (input) => answer(await api.call("PUT", "/me/webhook", input), () => "The webhook is connected:"),
    );
}
