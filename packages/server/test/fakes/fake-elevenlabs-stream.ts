import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { mulawEncode } from "../../src/media/mulaw.ts";
import { pause } from "./loopback.ts";
import { type FakeTtsReply, type TtsScriptQueue, toneSamples } from "./tts-script.ts";

/**
 * ElevenLabs' multi-context text-to-speech WebSocket on the fake's server:
 * GET /v1/text-to-speech/{voice_id}/multi-stream-input?model_id=…&output_format=ulaw_8000, upgraded, the
 * key in the xi-api-key header (or `xi_api_key` in the first message). Each context buffers its text as
 * ElevenLabs does: a generation starts when the buffer reaches the next length of its
 * chunk_length_schedule (default 120, 160, 250, 290), on `flush`, or on `try_trigger_generation` with at
 * least 50 characters. The reply's first-audio delay runs from that moment, so nothing counts as generated
 * before the protocol says it is. Audio goes out as base64 ulaw_8000 with the generation's characters in
 * `alignment`, each message naming its `contextId`; a closed context sends `isFinal` after its audio.
 */
export interface FakeStreamInputOptions {
  apiKey?: string;
  voiceIds?: readonly string[];
  speech: TtsScriptQueue;
  apiKeys: string[];
  /** Every message received, with the context it named. */
  messages: Record<string, unknown>[];
  /** The address of each connection accepted. */
  urls: URL[];
  /** The extensions each accepted connection offered (its Sec-WebSocket-Extensions, "" for none). */
  extensions: string[];
  onMessage?(message: Record<string, unknown>): void;
}

const ROUTE = /^\/v1\/text-to-speech\/([^/]+)\/multi-stream-input$/;
const DEFAULT_SCHEDULE = [120, 160, 250, 290];
const TRIGGER_MIN_CHARS = 50;

interface Context {
  buffer: string;
  schedule: number[];
  step: number;
  /** Generations of this context, one after another. */
  chain: Promise<void>;
  closed: boolean;
}

/** Ends connections as a vendor might: at once, or on the next message any of them gets. */
export interface StreamInputControl {
  drop(): void;
  dropOnNextMessage(): void;
}

export function attachStreamInput(server: Server, o: FakeStreamInputOptions): StreamInputControl {
  const wss = new WebSocketServer({ noServer: true });
  const dropNext = { armed: false };
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const match = ROUTE.exec(url.pathname);
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (!match?.[1]) return refuse(404, "Not Found");
    const voice = decodeURIComponent(match[1]);
    if (o.voiceIds && !o.voiceIds.includes(voice)) return refuse(404, "Not Found");
    const headerKey = req.headers["xi-api-key"];
    if (headerKey !== undefined) {
      o.apiKeys.push(String(headerKey));
      if (o.apiKey !== undefined && headerKey !== o.apiKey) return refuse(401, "Unauthorized");
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      o.urls.push(url);
      o.extensions.push(req.headers["sec-websocket-extensions"] ?? "");
      serve(ws, url, voice, headerKey !== undefined, o, dropNext);
    });
  });
  return {
    drop: () => {
      for (const ws of wss.clients) ws.terminate();
    },
    dropOnNextMessage: () => {
      dropNext.armed = true;
    },
  };
}

function serve(
  ws: WebSocket,
  url: URL,
  voice: string,
  authorised: boolean,
  o: FakeStreamInputOptions,
  dropNext: { armed: boolean },
): void {
  const contexts = new Map<string, Context>();
  const format = url.searchParams.get("output_format") ?? "mp3_44100_128";
  const model = url.searchParams.get("model_id") ?? "";
  let first = true;
  const send = (message: Record<string, unknown>) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const fail = (code: number, error: string, message: string) => {
    send({ error, message, code });
    ws.close(1008, message.slice(0, 100));
  };

  ws.on("message", (data) => {
    // Frames that came in with the one that ended the connection are not read.
    if (ws.readyState !== ws.OPEN) return;
    if (dropNext.armed) {
      dropNext.armed = false;
      ws.terminate();
      return;
    }
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(data.toString()) as Record<string, unknown>;
    } catch {
      return fail(1007, "invalid_message", "Messages must be JSON");
    }
    o.messages.push(m);
    o.onMessage?.(m);
    if (first) {
      first = false;
      if (!authorised) {
        o.apiKeys.push(String(m["xi_api_key"] ?? ""));
        if (o.apiKey !== undefined && m["xi_api_key"] !== o.apiKey)
          return fail(1008, "invalid_api_key", "Invalid API key");
      }
      if (format !== "ulaw_8000")
        return fail(1008, "invalid_output_format", "The fake only speaks ulaw_8000");
    }
    if (m["close_socket"] === true) {
      const all = [...contexts.values()].map((c) => c.chain);
      void Promise.all(all).then(() => ws.close(1000));
      return;
    }
    const id = typeof m["context_id"] === "string" ? m["context_id"] : "default";
    let context = contexts.get(id);
    if (m["close_context"] === true) {
      if (context === undefined || context.closed) return;
      context.closed = true;
      // Text never flushed is dropped; flushed text finishes first.
      context.buffer = "";
      context.chain = context.chain.then(() => send({ isFinal: true, contextId: id }));
      return;
    }
    if (context === undefined) {
      const config = m["generation_config"] as { chunk_length_schedule?: number[] } | undefined;
      context = {
        buffer: "",
        schedule: config?.chunk_length_schedule ?? DEFAULT_SCHEDULE,
        step: 0,
        chain: Promise.resolve(),
        closed: false,
      };
      contexts.set(id, context);
    }
    if (context.closed) return;
    const text = typeof m["text"] === "string" ? m["text"] : "";
    // The opening single space starts the context; an empty text only keeps it alive.
    if (text !== " " || context.buffer.length > 0) context.buffer += text;
    const due = context.schedule[Math.min(context.step, context.schedule.length - 1)]!;
    if (m["flush"] === true) generate(id, context, m);
    else if (m["try_trigger_generation"] === true && context.buffer.trim().length >= TRIGGER_MIN_CHARS)
      generate(id, context, m);
    else if (context.buffer.length >= due) {
      context.step++;
      generate(id, context, m);
    }
  });

  function generate(id: string, context: Context, raw: Record<string, unknown>): void {
    const text = context.buffer.trim();
    context.buffer = "";
    if (text.length === 0) return;
    const outcome = o.speech.next({ text, voice, model, format, raw });
    if ("hang" in outcome) {
      context.chain = new Promise(() => {});
      return;
    }
    if ("status" in outcome) {
      const message = outcome.message ?? "fake failure";
      context.chain = context.chain.then(() => fail(1011, "fake_failure", message));
      return;
    }
    // The first-audio delay runs from now, while earlier generations of the context may still stream.
    const ready = pause(outcome.firstByteMs ?? 0);
    context.chain = context.chain.then(async () => {
      await ready;
      await stream(id, text, outcome);
    });
  }

  async function stream(id: string, text: string, reply: FakeTtsReply): Promise<void> {
    const audio = mulawEncode(toneSamples(reply, 8000));
    const chunkBytes = Math.max(1, Math.round((reply.chunkMs ?? 100) * 8));
    const cutAt = reply.cutAfterMs === undefined ? Number.POSITIVE_INFINITY : reply.cutAfterMs * 8;
    const pieces = Math.ceil(audio.length / chunkBytes);
    const msPerChar = (audio.length / 8 / Math.max(1, text.length)) | 0;
    for (let k = 0; k < pieces; k++) {
      if (ws.readyState !== ws.OPEN) return;
      const offset = k * chunkBytes;
      if (offset >= cutAt) {
        ws.terminate();
        return;
      }
      const from = Math.floor((k * text.length) / pieces);
      const to = Math.floor(((k + 1) * text.length) / pieces);
      const chars = [...text.slice(from, to)];
      send({
        audio: Buffer.from(audio.subarray(offset, offset + chunkBytes)).toString("base64"),
        alignment: {
          chars,
          charStartTimesMs: chars.map((_, i) => i * msPerChar),
          charDurationsMs: chars.map(() => msPerChar),
        },
        contextId: id,
      });
      if (k === 0) reply.onFirstByte?.();
      if (reply.realtimeFactor && reply.realtimeFactor > 0) {
        await pause(chunkBytes / 8 / reply.realtimeFactor);
      } else await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (cutAt < Number.POSITIVE_INFINITY) ws.terminate();
  }
}
