import http from "node:http";
import https from "node:https";
import { finished, type Readable } from "node:stream";
import zlib from "node:zlib";
import { connectionReleased } from "./idle.ts";
import { KeptAgents } from "./kept-agent.ts";

export interface KeptFetchOptions {
  /** How long an idle connection is kept (the server may close it sooner). */
  idleMs?: number;
}

/** A fetch for one vendor's API whose connections stay open between a call's turns. */
export interface KeptFetch {
  fetch: typeof fetch;
  /**
   * Open connections to `url`'s origin waiting for a request that will still be open `forMs` from now
   * (by what the server announced): a request then pays no handshake.
   */
  idleConnections(url: string, forMs?: number): number;
  close(): void;
}

/** Long enough to span the pauses of a conversation; servers close sooner when they want to. */
const DEFAULT_IDLE_MS = 120_000;

/**
 * The model vendors' SDKs take a fetch; the global one (undici) drops an idle connection after 4 s
 * unless the server says otherwise, so a turn that comes after a longer pause paid a new TCP and TLS
 * handshake, and its request machinery costs about a millisecond more per request than node:http's. This
 * fetch speaks node:http(s) through keep-alive agents of its own (most recently used connection
 * first) and answers with a standard Response whose body streams as it arrives.
 *
 * A request written onto a kept connection the server had just closed fails before any answer; it is
 * sent once more on a new connection (the server never read it). Bodies other than text and bytes, and
 * anything not http(s), go to the global fetch.
 */
export function createKeptFetch(options: KeptFetchOptions = {}): KeptFetch {
  const agents = new KeptAgents(options.idleMs ?? DEFAULT_IDLE_MS);

  const keptFetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const body = init?.body;
    if (
      input instanceof Request ||
      agents.for(url) === undefined ||
      !(body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array)
    )
      return fetch(input, init);
    const request: Outgoing = {
      url,
      agents,
      method: (init?.method ?? "GET").toUpperCase(),
      headers: headerRecord(init?.headers, body ?? undefined),
      body: body ?? undefined,
      signal: init?.signal ?? undefined,
    };
    try {
      return await send(request);
    } catch (error) {
      if (!(error instanceof StaleConnection)) throw error;
      return send(request, true);
    }
  }) as typeof fetch;

  return {
    fetch: keptFetch,
    idleConnections: (target, forMs = 0) => agents.idleFor(new URL(target), forMs),
    close: () => agents.destroy(),
  };
}

interface Outgoing {
  url: URL;
  agents: KeptAgents;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  signal: AbortSignal | undefined;
}

/** A kept connection was closed under a request before any answer: safe to send again. */
class StaleConnection extends Error {}

function send(o: Outgoing, fresh = false): Promise<Response> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(abortReason(o.signal));
    const client = o.url.protocol === "https:" ? https : http;
    const req = client.request(o.url, {
      method: o.method,
      headers: o.headers,
      // A retry takes a connection of its own rather than another kept one that may be as stale.
      agent: fresh ? false : o.agents.for(o.url),
    });
    let answer: http.IncomingMessage | undefined;
    // Once answered, the body's reader is told why it stopped (the abort), not of a reset connection.
    const onAbort = () => (answer ?? req).destroy(abortReason(o.signal!));
    o.signal?.addEventListener("abort", onAbort, { once: true });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${o.url.host} in time`)));
    req.on("error", (error) => {
      o.signal?.removeEventListener("abort", onAbort);
      if (answer !== undefined) return;
      const code = (error as NodeJS.ErrnoException).code;
      const stale = req.reusedSocket && (code === "ECONNRESET" || code === "EPIPE");
      reject(stale && !o.signal?.aborted ? new StaleConnection(error.message, { cause: error }) : error);
    });
    req.on("response", (res) => {
      answer = res;
      o.agents.heard(res.socket, res.headers["keep-alive"]?.toString());
      res.on("close", () => o.signal?.removeEventListener("abort", onAbort));
      resolve(toResponse(o.method, res));
    });
    req.end(o.body);
  });
}

function toResponse(method: string, res: http.IncomingMessage): Response {
  const status = res.statusCode ?? 502;
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  if (method === "HEAD" || status === 204 || status === 205 || status === 304) {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage ?? "", headers });
  }
  return new Response(bodyOf(decoded(res, headers)), {
    status,
    statusText: res.statusMessage ?? "",
    headers,
  });
}

/**
 * The body as a web stream that reads `source` only when read, and whose async iteration (how the
 * vendors' SDKs read a streamed reply: `for await` over `response.body`) is `source`'s chunks as they
 * arrive. A web stream costs Node tens of microseconds a chunk more than its own streams, and a model
 * streams its reply a token a chunk. Either way of reading takes the chunks from the one iterator, in
 * order.
 */
function bodyOf(source: Readable): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Uint8Array> | undefined;
  const chunks = () => {
    iterator ??= arrivals(source);
    return iterator;
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks().next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await chunks().return?.();
      },
    },
    // Nothing is read ahead into the web stream's queue: a reader gets each chunk as it comes.
    { highWaterMark: 0 },
  );
  Object.defineProperty(body, Symbol.asyncIterator, { value: chunks });
  return body;
}

/** Unread chunks of a body beyond this many bytes pause it until the reader catches up. */
const MAX_UNREAD_BYTES = 64 * 1024;

/**
 * `source`'s chunks as they arrive, for one reader. Node's own async iterator over a stream waits for
 * 'readable', then reads, a few ticks of the event loop a chunk; here each 'data' event goes straight to
 * the waiting reader. As with Node's, a failure (an abort, a cut connection) ends the reading at once,
 * and returning early destroys the source. (providers/async-queue.ts would hand queued chunks over before
 * a failure, and keeps no count of unread bytes to pause the source by.)
 */
function arrivals(source: Readable): AsyncIterator<Uint8Array> {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let ended = false;
  let failure: Error | undefined;
  let waiter: { resolve(result: IteratorResult<Uint8Array>): void; reject(error: Error): void } | undefined;
  source.on("data", (chunk: Uint8Array) => {
    const waiting = waiter;
    if (waiting !== undefined) {
      waiter = undefined;
      waiting.resolve({ done: false, value: chunk });
      return;
    }
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= MAX_UNREAD_BYTES) source.pause();
  });
  finished(source, (error) => {
    if (ended) return;
    ended = true;
    if (error) failure = error;
    const waiting = waiter;
    waiter = undefined;
    if (waiting === undefined) return;
    if (failure !== undefined) waiting.reject(failure);
    else waiting.resolve({ done: true, value: undefined });
  });
  return {
    next() {
      if (failure !== undefined) return Promise.reject(failure);
      const chunk = queue.shift();
      if (chunk !== undefined) {
        queued -= chunk.length;
        if (queued < MAX_UNREAD_BYTES && source.isPaused()) source.resume();
        return Promise.resolve({ done: false, value: chunk });
      }
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
    async return() {
      ended = true;
      queue.length = 0;
      source.destroy();
      return { done: true, value: undefined };
    },
  };
}

/** Servers should not compress unasked (no accept-encoding is sent), but some do. */
function decoded(res: http.IncomingMessage, headers: Headers): Readable {
  const encoding = headers.get("content-encoding")?.trim().toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? zlib.createGunzip()
      : encoding === "deflate"
        ? zlib.createInflate()
        : encoding === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  if (decoder === undefined) return res;
  headers.delete("content-encoding");
  headers.delete("content-length");
  res.on("error", (error) => decoder.destroy(error));
  return res.pipe(decoder);
}

function headerRecord(init: ConstructorParameters<typeof Headers>[0], body: string | Uint8Array | undefined) {
  const record: Record<string, string> = {};
  for (const [name, value] of new Headers(init)) record[name] = value;
  if (body !== undefined)
    record["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.length);
  return record;
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error("This operation was aborted");
  error.name = "AbortError";
  return error;
}

/** How far ahead a warmup looks: a turn's request comes a few seconds after the callee starts to speak. */
const WARM_AHEAD_MS = 3000;

/**
 * A warmup for an adapter on `kept`: runs `request` (a cheap call to the vendor) only when no kept
 * connection to `url`'s origin will still be open in a few seconds, and once at a time, so it can be
 * asked for at every turn. On a connection about to run out, the request renews it with the server.
 */
export function warmupOnDemand(
  kept: KeptFetch,
  url: string,
  request: () => Promise<unknown>,
): () => Promise<void> {
  let warming: Promise<void> | undefined;
  return () => {
    if (kept.idleConnections(url, WARM_AHEAD_MS) > 0) return Promise.resolve();
    warming ??= (async () => {
      try {
        await request();
        await connectionReleased();
      } finally {
        warming = undefined;
      }
    })();
    return warming;
  };
}
