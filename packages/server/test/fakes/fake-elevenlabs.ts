import type { IncomingMessage, ServerResponse } from "node:http";
import { mulawEncode } from "../../src/media/mulaw.ts";
import { attachStreamInput } from "./fake-elevenlabs-stream.ts";
import { readJson, sendJson, startLoopback } from "./loopback.ts";
import { type FakeTtsControl, streamAudio, TtsScriptQueue, toneSamples } from "./tts-script.ts";

/**
 * ElevenLabs' streaming text-to-speech on loopback: POST /v1/text-to-speech/{voice_id}/stream with the
 * output format as a query parameter, the key in xi-api-key, and the audio as a chunked body
 * (ulaw_8000: raw 8 kHz mu-law bytes, no header). GET /v1/models answers for warmups. The multi-context
 * WebSocket (multi-stream-input) is served beside it (fake-elevenlabs-stream.ts), with the same replies
 * and first-audio delay.
 */
export interface FakeElevenLabs {
  /** Base URL without /v1, as the SDK's baseUrl takes it. */
  url: string;
  speech: FakeTtsControl;
  connections(): number;
  /** xi-api-key headers seen, in order (and keys sent in a WebSocket's first message). */
  readonly apiKeys: string[];
  /** Messages received on the multi-stream-input WebSockets, in order. */
  readonly streamMessages: Record<string, unknown>[];
  /** The address of each WebSocket accepted. */
  readonly streamUrls: URL[];
  /** What each WebSocket connection offered in Sec-WebSocket-Extensions ("" for nothing). */
  readonly streamExtensions: string[];
  /** Ends the open WebSockets now, or on the next message one of them gets (dropping that message). */
  dropStreams(): void;
  dropStreamsOnNextMessage(): void;
  close(): Promise<void>;
}

export interface FakeElevenLabsOptions {
  apiKey?: string;
  /** Voice ids the fake knows; others get 404 voice_not_found. Any id is accepted when absent. */
  voiceIds?: readonly string[];
  /** Called as each WebSocket message arrives, so a benchmark can time the text it carries. */
  onStreamMessage?(message: Record<string, unknown>): void;
}

const ROUTE = /^\/v1\/text-to-speech\/([^/]+)\/stream$/;

export async function startFakeElevenLabs(options: FakeElevenLabsOptions = {}): Promise<FakeElevenLabs> {
  const speech = new TtsScriptQueue();
  const apiKeys: string[] = [];
  const loopback = await startLoopback(async (req, res) => {
    const key = String(req.headers["xi-api-key"] ?? "");
    apiKeys.push(key);
    if (options.apiKey !== undefined && key !== options.apiKey) {
      return detail(res, 401, "invalid_api_key", "Invalid API key");
    }
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return sendJson(res, 200, [
        { model_id: "eleven_flash_v2_5", name: "Eleven Flash v2.5", can_do_text_to_speech: true },
      ]);
    }
    const match = ROUTE.exec(url.pathname);
    if (req.method === "POST" && match?.[1]) return handleStream(req, res, url, decodeURIComponent(match[1]));
    return detail(res, 404, "not_found", `Unknown route ${req.method} ${url.pathname}`);

    async function handleStream(req: IncomingMessage, res: ServerResponse, url: URL, voiceId: string) {
      const body = await readJson(req);
      const format = url.searchParams.get("output_format") ?? "mp3_44100_128";
      if (options.voiceIds && !options.voiceIds.includes(voiceId)) {
        return detail(res, 404, "voice_not_found", "A voice with the voice_id was not found.");
      }
      const outcome = speech.next({
        text: String(body.text ?? ""),
        voice: voiceId,
        model: String(body.model_id ?? ""),
        format,
        raw: body,
      });
      if ("hang" in outcome) return;
      if ("status" in outcome)
        return detail(res, outcome.status, "fake_failure", outcome.message ?? "fake failure");
      if (format !== "ulaw_8000")
        return detail(res, 400, "invalid_output_format", "The fake only speaks ulaw_8000");
      const audio = mulawEncode(toneSamples(outcome, 8000));
      res.writeHead(200, { "content-type": "audio/basic", "transfer-encoding": "chunked" });
      await streamAudio(res, audio, 8, outcome);
    }
  });
  const streamMessages: Record<string, unknown>[] = [];
  const streamUrls: URL[] = [];
  const streamExtensions: string[] = [];
  const streams = attachStreamInput(loopback.server, {
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.voiceIds !== undefined ? { voiceIds: options.voiceIds } : {}),
    ...(options.onStreamMessage !== undefined ? { onMessage: options.onStreamMessage } : {}),
    speech,
    apiKeys,
    messages: streamMessages,
    urls: streamUrls,
    extensions: streamExtensions,
  });
  return {
    url: loopback.origin,
    speech,
    connections: loopback.connections,
    apiKeys,
    streamMessages,
    streamUrls,
    streamExtensions,
    dropStreams: streams.drop,
    dropStreamsOnNextMessage: streams.dropOnNextMessage,
    close: loopback.close,
  };
}

function detail(res: ServerResponse, status: number, code: string, message: string) {
  sendJson(res, status, { detail: { status: code, message } });
}
