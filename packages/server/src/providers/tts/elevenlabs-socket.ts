import net from "node:net";
import tls from "node:tls";
import WebSocket from "ws";
import { messageBytes } from "../../media/json-bytes.ts";
import { ProviderError } from "../abort.ts";
import {
  type ContextMessage,
  ElevenLabsMessageReader,
  type ElevenLabsStreamMessage,
} from "./elevenlabs-message.ts";

/** What a context's owner is told: a message for it, or the connection's end. */
export interface ContextListener {
  message(said: ContextMessage): void;
  closed(error: ProviderError): void;
}

export interface ElevenLabsSocketOptions {
  /** Provider name, for errors. */
  name: string;
  apiKey: string;
  /** http(s) origin; the socket goes to the ws(s) one. */
  baseUrl: string;
  model: string;
  connectTimeoutMs: number;
  /** How long an open connection waits for the next reply before we close it. */
  idleMs: number;
}

/**
 * One connection to ElevenLabs' multi-context endpoint (`/v1/text-to-speech/{voice}/multi-stream-input`),
 * held by one reply at a time. Messages are routed to their context's listener; messages for contexts no
 * one listens to any more (a reply cut off) are dropped.
 */
export class ElevenLabsSocket {
  private readonly listeners = new Map<string, ContextListener>();
  private socket: net.Socket | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  closedWith: ProviderError | null = null;
  /** Replies that have taken this connection. */
  replies = 0;

  private constructor(
    private readonly ws: WebSocket,
    readonly voiceId: string,
  ) {}

  static connect(
    o: ElevenLabsSocketOptions,
    voiceId: string,
    signal: AbortSignal,
  ): Promise<ElevenLabsSocket> {
    const origin = o.baseUrl.replace(/^http/, "ws").replace(/\/+$/, "");
    const url = new URL(`${origin}/v1/text-to-speech/${encodeURIComponent(voiceId)}/multi-stream-input`);
    url.searchParams.set("model_id", o.model);
    url.searchParams.set("output_format", "ulaw_8000");
    // The server's own idle limit, beyond ours, so it never closes a connection we are about to use.
    url.searchParams.set("inactivity_timeout", String(Math.min(180, Math.ceil(o.idleMs / 1000) + 30)));
    let raw: net.Socket | null = null;
    const ws = new WebSocket(url, {
      headers: { "xi-api-key": o.apiKey },
      handshakeTimeout: o.connectTimeoutMs,
      maxPayload: 16 * 1024 * 1024,
      // ws offers permessage-deflate unless told not to. Were it accepted, every audio message would go
      // through zlib on the thread pool, a hop of latency and CPU for audio that barely compresses.
      perMessageDeflate: false,
      // Its audio messages are read from their bytes (elevenlabs-message.ts): no UTF-8 check first.
      skipUTF8Validation: true,
      // Kept so an idle connection does not hold the process open.
      createConnection: ((options: net.NetConnectOpts) => {
        raw =
          url.protocol === "wss:"
            ? tls.connect({ ...(options as tls.ConnectionOptions), servername: url.hostname })
            : net.connect(options);
        return raw;
      }) as typeof net.createConnection,
    });
    const socket = new ElevenLabsSocket(ws, voiceId);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new ProviderError(o.name, "connect timed out")),
        o.connectTimeoutMs,
      );
      const onAbort = () => fail(abortReason(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      };
      function fail(error: Error) {
        settle();
        ws.removeAllListeners();
        ws.on("error", () => {});
        ws.terminate();
        reject(error);
      }
      ws.once("unexpected-response", (_req, res) => {
        fail(
          new ProviderError(o.name, `HTTP ${res.statusCode ?? "error"}: connection refused`, {
            status: res.statusCode,
          }),
        );
        res.resume();
      });
      ws.once("error", (error) => fail(new ProviderError(o.name, error.message, { cause: error })));
      ws.once("open", () => {
        settle();
        ws.removeAllListeners();
        socket.socket = raw;
        socket.listen(o.name);
        resolve(socket);
      });
    });
  }

  get open(): boolean {
    return this.closedWith === null && this.ws.readyState === WebSocket.OPEN;
  }

  send(message: Record<string, unknown>): void {
    if (this.open) this.ws.send(JSON.stringify(message));
  }

  on(contextId: string, listener: ContextListener): void {
    const closed = this.closedWith;
    // Closed already (while idle, say): told at once rather than waiting on messages that cannot come.
    if (closed !== null) queueMicrotask(() => listener.closed(closed));
    else this.listeners.set(contextId, listener);
  }

  off(contextId: string): void {
    this.listeners.delete(contextId);
  }

  /** In use: keeps the process alive and stops the idle clock. */
  take(): void {
    this.replies++;
    clearTimeout(this.idleTimer);
    this.socket?.ref();
  }

  /** Back in the pool until `idleMs` passes without a reply taking it. */
  rest(idleMs: number, onExpire: () => void): void {
    this.listeners.clear();
    this.socket?.unref();
    this.idleTimer = setTimeout(() => {
      onExpire();
      this.close();
    }, idleMs);
    this.idleTimer.unref?.();
  }

  close(): void {
    clearTimeout(this.idleTimer);
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ close_socket: true }));
    this.ws.close();
  }

  terminate(): void {
    clearTimeout(this.idleTimer);
    this.ws.terminate();
  }

  private readonly hears = (context: string) => this.listeners.has(context);

  private listen(name: string): void {
    const reader = new ElevenLabsMessageReader();
    this.ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      const routed = reader.read(messageBytes(data), this.hears);
      if (routed === null) return;
      if (routed.context === undefined) {
        // An error that names no context concerns every one of them.
        const raw = routed.raw;
        if (raw !== undefined && (raw.error !== undefined || raw.message !== undefined))
          this.end(vendorError(name, raw));
        return;
      }
      this.listeners.get(routed.context)?.message(routed.said);
    });
    this.ws.on("error", (error) => this.end(new ProviderError(name, error.message, { cause: error })));
    this.ws.on("close", (code, reason) => {
      const why = reason.toString() || "connection closed";
      this.end(new ProviderError(name, `closed (${code}): ${why}`, { kind: "stream_cut" }));
    });
  }

  private end(error: ProviderError): void {
    if (this.closedWith !== null) return;
    this.closedWith = error;
    clearTimeout(this.idleTimer);
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    for (const l of listeners) l.closed(error);
  }
}

export function vendorError(name: string, message: ElevenLabsStreamMessage): ProviderError {
  const what = [message.error, message.message].filter((x) => typeof x === "string").join(": ");
  return new ProviderError(name, what || "error", { kind: "http_error" });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException("The operation was aborted", "AbortError");
}

/** Open connections kept between replies, by voice (the voice is part of the address). */
export class ElevenLabsSocketPool {
  private readonly idle = new Map<string, ElevenLabsSocket[]>();
  private readonly warming = new Map<string, Promise<void>>();

  constructor(private readonly options: ElevenLabsSocketOptions) {}

  /** An open connection for `voiceId`: one left by an earlier reply, or a new one. */
  async acquire(voiceId: string, signal: AbortSignal): Promise<ElevenLabsSocket> {
    const list = this.idle.get(voiceId) ?? [];
    for (let socket = list.pop(); socket !== undefined; socket = list.pop()) {
      if (!socket.open) continue;
      socket.take();
      return socket;
    }
    const socket = await ElevenLabsSocket.connect(this.options, voiceId, signal);
    socket.take();
    return socket;
  }

  /** Opens a connection for `voiceId` into the pool unless one is waiting there (or opening) already. */
  warm(voiceId: string, signal: AbortSignal): Promise<void> {
    if (this.idle.get(voiceId)?.some((socket) => socket.open)) return Promise.resolve();
    let opening = this.warming.get(voiceId);
    if (opening === undefined) {
      opening = this.acquire(voiceId, signal)
        .then((socket) => this.release(socket))
        .finally(() => this.warming.delete(voiceId));
      this.warming.set(voiceId, opening);
    }
    return opening;
  }

  /** Hands a connection back after a reply; a broken one is closed instead. */
  release(socket: ElevenLabsSocket): void {
    if (!socket.open) {
      socket.terminate();
      return;
    }
    const list = this.idle.get(socket.voiceId) ?? [];
    list.push(socket);
    this.idle.set(socket.voiceId, list);
    socket.rest(this.options.idleMs, () => {
      const i = list.indexOf(socket);
      if (i >= 0) list.splice(i, 1);
    });
  }

  close(): void {
    for (const list of this.idle.values()) for (const socket of list.splice(0)) socket.close();
  }
}
