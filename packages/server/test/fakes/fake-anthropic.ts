import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type FakeLlmControl,
  type FakeLlmPacing,
  type FakeLlmRequestView,
  finishReasonOf,
  LlmScriptQueue,
  planTokens,
  tokenGapMs,
} from "./llm-script.ts";
import { cutOff, gone, pause, readJson, sendJson, startLoopback } from "./loopback.ts";

/**
 * The Anthropic Messages API on loopback: streamed replies as named SSE events (message_start,
 * content_block_start/delta/stop with text_delta and input_json_delta, message_delta, message_stop).
 */
export interface FakeAnthropic {
  /** Base URL without /v1, as the SDK's baseURL takes it. */
  url: string;
  chat: FakeLlmControl;
  connections(): number;
  /** API keys seen (x-api-key or bearer), in order. */
  readonly apiKeys: string[];
  close(): Promise<void>;
}

export interface FakeAnthropicOptions extends FakeLlmPacing {
  apiKey?: string;
}

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const chat = new LlmScriptQueue(options);
  const apiKeys: string[] = [];
  const loopback = await startLoopback(async (req, res) => {
    // Older clients send x-api-key; current SDKs send the key as a bearer token.
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const key = String(req.headers["x-api-key"] ?? bearer ?? "");
    apiKeys.push(key);
    if (options.apiKey !== undefined && key !== options.apiKey) {
      return anthropicError(res, 401, "authentication_error", "invalid API key");
    }
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, {
        data: [
          { type: "model", id: "fake-claude", display_name: "Fake", created_at: "2025-01-01T00:00:00Z" },
        ],
        has_more: false,
        first_id: "fake-claude",
        last_id: "fake-claude",
      });
    }
    if (req.method === "POST" && path === "/v1/messages") return handleMessages(req, res, chat);
    return anthropicError(res, 404, "not_found_error", `Unknown route ${req.method} ${path}`);
  });
  return { url: loopback.origin, chat, connections: loopback.connections, apiKeys, close: loopback.close };
}

function anthropicError(res: ServerResponse, status: number, type: string, message: string, headers = {}) {
  sendJson(res, status, { type: "error", error: { type, message } }, headers);
}

function errorType(status: number): string {
  if (status === 429) return "rate_limit_error";
  if (status === 529) return "overloaded_error";
  if (status >= 500) return "api_error";
  if (status === 401) return "authentication_error";
  return "invalid_request_error";
}

type Block = { type: string; text?: string; content?: unknown; name?: string };

function viewOf(body: Record<string, unknown>, receivedAt: number): FakeLlmRequestView {
  const textOf = (content: unknown): string =>
    typeof content === "string"
      ? content
      : Array.isArray(content)
        ? (content as Block[]).map((b) => (b.type === "text" ? (b.text ?? "") : "")).join("")
        : "";
  const turns: FakeLlmRequestView["turns"] = [];
  for (const message of (body.messages ?? []) as { role: string; content: unknown }[]) {
    const blocks: Block[] =
      typeof message.content === "string"
        ? [{ type: "text", text: message.content }]
        : (message.content as Block[]);
    for (const block of blocks) {
      if (block.type === "tool_result") turns.push({ role: "tool", text: textOf(block.content) });
    }
    const text = textOf(blocks);
    if (text || message.role === "assistant") {
      turns.push({ role: message.role === "assistant" ? "assistant" : "user", text });
    }
  }
  return {
    model: String(body.model ?? ""),
    system: textOf(body.system),
    turns,
    lastUserText: turns.filter((t) => t.role === "user").at(-1)?.text ?? "",
    toolNames: ((body.tools ?? []) as { name?: string }[]).map((t) => t.name ?? ""),
    raw: body,
    receivedAt,
  };
}

const STOP_REASONS = { stop: "end_turn", tool_calls: "tool_use", length: "max_tokens" } as const;

async function handleMessages(req: IncomingMessage, res: ServerResponse, chat: LlmScriptQueue) {
  const receivedAt = performance.now();
  const body = await readJson(req);
  const outcome = chat.next(viewOf(body, receivedAt));
  if ("hang" in outcome) return;
  if ("status" in outcome) {
    const headers =
      outcome.retryAfterSeconds === undefined ? {} : { "retry-after": String(outcome.retryAfterSeconds) };
    return anthropicError(
      res,
      outcome.status,
      errorType(outcome.status),
      outcome.message ?? "fake failure",
      headers,
    );
  }
  if (body.stream !== true) {
    return anthropicError(res, 400, "invalid_request_error", "the fake only streams");
  }
  await pause(outcome.headersDelayMs ?? 0, res);
  if (gone(res)) return;
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const send = (event: string, data: Record<string, unknown>) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);

  send("message_start", {
    message: {
      id: `msg_fake${Date.now()}`,
      type: "message",
      role: "assistant",
      content: [],
      model: String(body.model ?? "fake-claude"),
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1 },
    },
  });
  await pause(outcome.firstTokenMs ?? 0, res);
  if (gone(res)) return;

  // Text is block 0 when present; each tool call is its own block after it.
  const hasText = Boolean(outcome.text);
  const blockOf = (toolIndex: number) => toolIndex + (hasText ? 1 : 0);
  let open: number | null = null;
  const closeOpen = () => {
    if (open !== null) send("content_block_stop", { index: open });
    open = null;
  };
  const pieces = planTokens(outcome);
  const gap = tokenGapMs(outcome);
  for (const [i, piece] of pieces.entries()) {
    if (gone(res)) return;
    if (outcome.cutAfterTokens !== undefined && i >= outcome.cutAfterTokens) return cutOff(res);
    if (piece.kind === "text") {
      if (open === null) {
        open = 0;
        send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
      }
      send("content_block_delta", { index: 0, delta: { type: "text_delta", text: piece.text } });
    } else if (piece.kind === "tool_start") {
      closeOpen();
      open = blockOf(piece.index);
      send("content_block_start", {
        index: open,
        content_block: {
          type: "tool_use",
          id: piece.id.replace(/^call_/, "toolu_"),
          name: piece.name,
          input: {},
        },
      });
    } else {
      send("content_block_delta", {
        index: blockOf(piece.index),
        delta: { type: "input_json_delta", partial_json: piece.text },
      });
    }
    if (i < pieces.length - 1) await pause(gap, res);
  }
  if (outcome.cutAfterTokens !== undefined) return cutOff(res);
  closeOpen();
  send("message_delta", {
    delta: { stop_reason: STOP_REASONS[finishReasonOf(outcome)], stop_sequence: null },
    usage: { output_tokens: pieces.length },
  });
  send("message_stop", {});
  res.end();
}
