import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { startLoopback } from "./loopback.ts";
import { SpeechTracker } from "./speech-tracker.ts";

/**
 * Deepgram's live transcription WebSocket (/v1/listen) on loopback. It takes the audio the client
 * sends, notices speech by its energy, and answers in Deepgram's messages: SpeechStarted, interim and
 * final Results (is_final, speech_final, from_finalize), UtteranceEnd and, on CloseStream, Metadata.
 * What was "said" comes from a queue (`hear`) or from a session's side channel (`say`, `final`, ...).
 */
export interface FakeDeepgram {
  /** ws:// base URL, as the SDK's baseUrl takes it. */
  url: string;
  readonly sessions: FakeDeepgramSession[];
  /** Resolves with the next session to connect (or the latest one, if it connected already unseen). */
  nextSession(): Promise<FakeDeepgramSession>;
  /** Transcripts for the next utterances detected in the audio, in order, across sessions. */
  hear(...transcripts: string[]): void;
  /** Refuses the next connection attempts with this HTTP status (e.g. 401, 500). */
  rejectNext(status: number, times?: number): void;
  connections(): number;
  close(): Promise<void>;
}

export interface FakeDeepgramOptions {
  apiKey?: string;
  /** Wall-clock delay between the end of speech being detected and the final result. */
  finalDelayMs?: number;
  /** Closes a session that received neither audio nor KeepAlive for this long (Deepgram: about 10 s). */
  idleTimeoutMs?: number;
  /** Frame RMS above which audio counts as speech. */
  speechThreshold?: number;
  /**
   * Silence before a final, whatever endpointing the client asked for: with `finalDelayMs` it fixes when
   * the final comes after the speech ends (benchmarks impose a vendor's latency this way).
   */
  endpointMs?: number;
  /**
   * Silence after which an interim with every word of the utterance is sent (with interim results on),
   * as a streaming recogniser's next interim covers all the audio so far (the fake knows only whole lines,
   * so a pause inside one gives all of it). Off by default.
   */
  pauseInterimMs?: number;
  /** Sees every Results message as it is sent (benchmarks time the final by it). */
  onResult?(result: { text: string; isFinal: boolean; speechFinal: boolean }): void;
  /** Keeps the audio each session receives (see FakeDeepgramSession.audio). */
  keepAudio?: boolean;
}

export interface FakeFinalOptions {
  speechFinal?: boolean;
  fromFinalize?: boolean;
}

export interface FakeDeepgramSession {
  readonly query: URLSearchParams;
  readonly authorization: string;
  /** Control messages received, in order (KeepAlive, Finalize, CloseStream). */
  readonly controls: string[];
  /** Every message received, in order: `audio <bytes>` for audio, the type for a control. */
  readonly messages: string[];
  audioBytes(): number;
  /** The audio received, in order (with `keepAudio`; empty otherwise). */
  audio(): Buffer;
  /** Side channel: a whole utterance at once (SpeechStarted, interims, final with speech_final). */
  say(text: string): void;
  interim(text: string): void;
  final(text: string, options?: FakeFinalOptions): void;
  speechStarted(): void;
  utteranceEnd(): void;
  /** Destroys the socket with no close frame, as a network failure would. */
  drop(): void;
  /** Resolves when the socket has closed, with the close code sent or received. */
  readonly closed: Promise<number>;
}

export async function startFakeDeepgram(options: FakeDeepgramOptions = {}): Promise<FakeDeepgram> {
  const sessions: FakeDeepgramSession[] = [];
  const waiters: ((s: FakeDeepgramSession) => void)[] = [];
  const heard: string[] = [];
  let unseen = 0;
  let rejections: { status: number; times: number } | null = null;
  const wss = new WebSocketServer({ noServer: true });
  const loopback = await startLoopback((_req, res) => {
    res.writeHead(404).end();
  });

  loopback.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const authorization = req.headers.authorization ?? "";
    const refuse = (status: number) => {
      socket.end(`HTTP/1.1 ${status} Refused\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (rejections && rejections.times > 0) {
      rejections.times--;
      return refuse(rejections.status);
    }
    if (url.pathname !== "/v1/listen") return refuse(404);
    if (options.apiKey !== undefined && authorization !== `Token ${options.apiKey}`) return refuse(401);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = createSession(ws, url.searchParams, authorization, options, heard);
      sessions.push(session);
      const waiter = waiters.shift();
      if (waiter) waiter(session);
      else unseen++;
    });
  });

  return {
    url: loopback.origin.replace(/^http/, "ws"),
    sessions,
    nextSession: () =>
      new Promise((resolve) => {
        if (unseen > 0) {
          unseen--;
          resolve(sessions[sessions.length - 1 - unseen]!);
        } else waiters.push(resolve);
      }),
    hear: (...transcripts) => heard.push(...transcripts),
    rejectNext: (status, times = 1) => {
      rejections = { status, times };
    },
    connections: loopback.connections,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await loopback.close();
    },
  };
}

function createSession(
  ws: WebSocket,
  query: URLSearchParams,
  authorization: string,
  options: FakeDeepgramOptions,
  heard: string[],
): FakeDeepgramSession {
  const requestId = randomUUID();
  const messages: string[] = [];
  const vadEvents = query.get("vad_events") === "true";
  const interimResults = query.get("interim_results") === "true";
  const sampleRate = Number(query.get("sample_rate") ?? 8000);
  const endpointing = query.get("endpointing");
  const utteranceEndMs = Number(query.get("utterance_end_ms") ?? 0);
  let received = 0;
  const kept: Buffer[] = [];
  let idleTimer: NodeJS.Timeout | undefined;
  let closeCode = 0;
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(closeCode || code)));

  const send = (message: Record<string, unknown>) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const seconds = () => received / sampleRate;
  const results = (text: string, isFinal: boolean, speechFinal: boolean, fromFinalize = false) => {
    options.onResult?.({ text, isFinal, speechFinal });
    const words = text.split(/\s+/).filter(Boolean);
    const end = seconds();
    const start = Math.max(0, end - words.length * 0.3);
    send({
      type: "Results",
      channel_index: [0, 1],
      duration: end - start,
      start,
      is_final: isFinal,
      speech_final: speechFinal,
      ...(fromFinalize ? { from_finalize: true } : {}),
      channel: {
        alternatives: [
          {
            transcript: text,
            confidence: 0.98,
            words: words.map((w, i) => ({
              word: w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, ""),
              start: start + i * 0.3,
              end: start + (i + 1) * 0.3,
              confidence: 0.98,
              punctuated_word: w,
            })),
          },
        ],
      },
      metadata: {
        request_id: requestId,
        model_info: { name: "fake-nova", version: "0", arch: "fake" },
        model_uuid: randomUUID(),
      },
    });
  };

  const session: FakeDeepgramSession = {
    query,
    authorization,
    get controls() {
      return messages.filter((m) => !m.startsWith("audio "));
    },
    messages,
    audioBytes: () => received,
    audio: () => Buffer.concat(kept),
    say(text) {
      if (vadEvents) session.speechStarted();
      const words = text.split(/\s+/);
      if (interimResults) for (let n = 1; n < words.length; n++) session.interim(words.slice(0, n).join(" "));
      session.final(text, { speechFinal: true });
      if (utteranceEndMs > 0) session.utteranceEnd();
    },
    interim: (text) => results(text, false, false),
    final: (text, opts = {}) => results(text, true, opts.speechFinal ?? false, opts.fromFinalize ?? false),
    speechStarted: () => send({ type: "SpeechStarted", channel: [0], timestamp: seconds() }),
    utteranceEnd: () => send({ type: "UtteranceEnd", channel: [0, 1], last_word_end: seconds() }),
    drop: () => ws.terminate(),
    closed,
  };

  // Endpointing is off when "false"; Deepgram's default is 10 ms of silence.
  const endpointMs = options.endpointMs ?? (endpointing === "false" ? null : Number(endpointing ?? 10));
  const tracker = new SpeechTracker({
    sampleRate,
    encoding: query.get("encoding") === "linear16" ? "linear16" : "mulaw",
    threshold: options.speechThreshold ?? 500,
    endpointMs,
    utteranceEndMs: utteranceEndMs > 0 ? utteranceEndMs : null,
    pauseMs: options.pauseInterimMs ?? null,
    onSpeechStarted: () => vadEvents && session.speechStarted(),
    onPause: () => {
      const text = heard[0];
      if (interimResults && text) session.interim(text);
    },
    onProgress: (fraction) => {
      const text = heard[0];
      if (!interimResults || !text) return;
      const words = text.split(/\s+/);
      const n = Math.min(words.length - 1, Math.floor(words.length * fraction));
      if (n > 0) session.interim(words.slice(0, n).join(" "));
    },
    onEndpoint: () => {
      const text = heard.shift();
      if (text === undefined) return;
      const emit = () => session.final(text, { speechFinal: true });
      if (options.finalDelayMs) setTimeout(emit, options.finalDelayMs);
      else emit();
    },
    onUtteranceEnd: (endpointed) => {
      // Without endpointing, the words are finalised only when the utterance ends.
      const text = endpointed ? undefined : heard.shift();
      if (text !== undefined) session.final(text);
      session.utteranceEnd();
    },
  });

  const resetIdle = () => {
    if (!options.idleTimeoutMs) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      closeCode = 1011;
      ws.close(1011, "NET-0001: no audio received");
    }, options.idleTimeoutMs);
  };
  resetIdle();

  ws.on("message", (data, isBinary) => {
    resetIdle();
    if (isBinary) {
      const bytes = data as Buffer;
      messages.push(`audio ${bytes.length}`);
      if (options.keepAudio) kept.push(Buffer.from(bytes));
      received += query.get("encoding") === "linear16" ? bytes.length / 2 : bytes.length;
      tracker.push(bytes);
      return;
    }
    let message: { type?: string };
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (!message.type) return;
    messages.push(message.type);
    if (message.type === "Finalize") {
      const pending = tracker.takeUtterance() ? heard.shift() : undefined;
      session.final(pending ?? "", { fromFinalize: true });
    } else if (message.type === "CloseStream") {
      const pending = tracker.takeUtterance() ? heard.shift() : undefined;
      if (pending) session.final(pending, { speechFinal: true });
      send({
        type: "Metadata",
        transaction_key: "deprecated",
        request_id: requestId,
        sha256: "",
        created: new Date().toISOString(),
        duration: seconds(),
        channels: 1,
      });
      closeCode = 1000;
      ws.close(1000);
    }
  });
  ws.on("close", () => clearTimeout(idleTimer));
  return session;
}
