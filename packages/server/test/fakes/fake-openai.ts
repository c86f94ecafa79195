import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type FakeLlmControl,
  type FakeLlmPacing,
  type FakeLlmReply,
  type FakeLlmRequestView,
  finishReasonOf,
  LlmScriptQueue,
  planTokens,
  tokenGapMs,
} from "./llm-script.ts";
import { cutOff, gone, pause, readJson, sendJson, startLoopback } from "./loopback.ts";
import { type FakeTtsControl, streamAudio, TtsScriptQueue, toneSamples } from "./tts-script.ts";

/**
 * An OpenAI-compatible server on loopback: streamed chat completions (SSE chunks with content and
 * tool_calls deltas, `data: [DONE]`), GET /v1/models, and POST /v1/audio/speech with raw 24 kHz PCM.
 */
export interface FakeOpenAi {
  /** Base URL including /v1, as OPENAI_BASE_URL takes it. */
  url: string;
  chat: FakeLlmControl;
  speech: FakeTtsControl;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Closes the connections no request is using, as a server whose keep-alive ran out does. */
  dropIdleConnections(): void;
  /** Authorization headers seen, in order (to check the key is sent; never log them). */
  readonly authorizations: string[];
  close(): Promise<void>;
}

export interface FakeOpenAiOptions extends FakeLlmPacing {
  /** When set, requests with another bearer key get 401. */
  apiKey?: string;
}

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const chat = new LlmScriptQueue(options);
  const speech = new TtsScriptQueue();
  const authorizations: string[] = [];

  const loopback = await startLoopback(async (req, res) => {
    const auth = req.headers.authorization ?? "";
    authorizations.push(auth);
    if (options.apiKey !== undefined && auth !== `Bearer ${options.apiKey}`) {
      return openAiError(res, 401, "Incorrect API key provided.", "invalid_request_error");
    }
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, {
        object: "list",
        data: [{ id: "fake-model", object: "model", owned_by: "fake" }],
      });
    }
    if (req.method === "POST" && path === "/v1/chat/completions") return handleChat(req, res, chat);
    if (req.method === "POST" && path === "/v1/audio/speech") return handleSpeech(req, res, speech);
    return openAiError(res, 404, `Unknown route ${req.method} ${path}`, "invalid_request_error");
  });

  return {
    url: `${loopback.origin}/v1`,
    chat,
    speech,
    connections: loopback.connections,
    dropIdleConnections: () => loopback.server.closeIdleConnections(),
    authorizations,
    close: loopback.close,
  };
}

function openAiError(res: ServerResponse, status: number, message: string, type: string, headers = {}) {
  sendJson(res, status, { error: { message, type, param: null, code: null } }, headers);
}

function failure(res: ServerResponse, status: number, message?: string, retryAfterSeconds?: number) {
  const type =
    status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) };
  openAiError(res, status, message ?? `fake failure ${status}`, type, headers);
}

function viewOf(body: Record<string, unknown>, receivedAt: number): FakeLlmRequestView {
  const messages = (body.messages ?? []) as { role: string; content?: unknown }[];
  const text = (content: unknown) =>
    typeof content === "string"
      ? content
      : Array.isArray(content)
        ? content.map((part) => (part as { text?: string }).text ?? "").join("")
        : "";
  const system = messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .map((m) => text(m.content))
    .join("\n");
  const turns = messages
    .filter((m) => m.role === "user" || m.role === "assistant" || m.role === "tool")
    .map((m) => ({ role: m.role as "user" | "assistant" | "tool", text: text(m.content) }));
  const tools = (body.tools ?? []) as { function?: { name?: string } }[];
  return {
    model: String(body.model ?? ""),
    system,
    turns,
    lastUserText: turns.filter((t) => t.role === "user").at(-1)?.text ?? "",
    toolNames: tools.map((t) => t.function?.name ?? ""),
    raw: body,
    receivedAt,
  };
}

async function handleChat(req: IncomingMessage, res: ServerResponse, chat: LlmScriptQueue) {
  const receivedAt = performance.now();
  const body = await readJson(req);
  const outcome = chat.next(viewOf(body, receivedAt));
  if ("hang" in outcome) return;
  if ("status" in outcome) return failure(res, outcome.status, outcome.message, outcome.retryAfterSeconds);
  if (body.stream !== true) return sendJson(res, 200, completionOf(outcome, String(body.model)));
  await pause(outcome.headersDelayMs ?? 0, res);
  if (gone(res)) return;
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const id = `chatcmpl-fake${Date.now()}`;
  const created = Math.floor(Date.now() / 1000);
  const model = String(body.model ?? "fake-model");
  const send = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    res.write(
      `data: ${JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created,
        model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      })}\n\n`,
    );

  await pause(outcome.firstTokenMs ?? 0, res);
  if (gone(res)) return;
  send({ role: "assistant", content: "" });
  const pieces = planTokens(outcome);
  const gap = tokenGapMs(outcome);
  for (const [i, piece] of pieces.entries()) {
    if (gone(res)) return;
    if (outcome.cutAfterTokens !== undefined && i >= outcome.cutAfterTokens) return cutOff(res);
    if (piece.kind === "text") {
      send({ content: piece.text });
      outcome.onToken?.(i, piece.text);
    } else if (piece.kind === "tool_start") {
      send({
        tool_calls: [
          {
            index: piece.index,
            id: piece.id,
            type: "function",
            function: { name: piece.name, arguments: "" },
          },
        ],
      });
    } else send({ tool_calls: [{ index: piece.index, function: { arguments: piece.text } }] });
    if (i < pieces.length - 1) await pause(gap, res);
  }
  if (outcome.cutAfterTokens !== undefined) return cutOff(res);
  send({}, finishReasonOf(outcome));
  res.end("data: [DONE]\n\n");
}

function completionOf(reply: FakeLlmReply, model: string) {
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `call_${index + 1}`,
    type: "function",
    function: {
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
    },
  }));
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: reply.text ?? null,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReasonOf(reply),
      },
    ],
  };
}

async function handleSpeech(req: IncomingMessage, res: ServerResponse, speech: TtsScriptQueue) {
  const body = await readJson(req);
  const format = String(body.response_format ?? "mp3");
  const outcome = speech.next({
    text: String(body.input ?? ""),
    voice: String(body.voice ?? ""),
    model: String(body.model ?? ""),
    format,
    raw: body,
  });
  if ("hang" in outcome) return;
  if ("status" in outcome) return failure(res, outcome.status, outcome.message);
  if (format !== "pcm")
    return openAiError(res, 400, "The fake only speaks response_format pcm", "invalid_request_error");
  // OpenAI's "pcm" is raw 24 kHz, 16-bit signed little-endian, mono, with no header.
  const samples = toneSamples(outcome, 24_000);
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (const [i, s] of samples.entries()) view.setInt16(i * 2, s, true);
  res.writeHead(200, { "content-type": "audio/pcm", "transfer-encoding": "chunked" });
  await streamAudio(res, bytes, 48, outcome);
}
