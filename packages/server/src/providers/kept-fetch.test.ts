import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { createKeptFetch, type KeptFetch, warmupOnDemand } from "./kept-fetch.ts";

interface Loopback {
  server: http.Server;
  url: string;
  connections: number;
  /** Connections closed so far, by either side. */
  closed: number;
  close(): Promise<void>;
}

async function serve(handler: http.RequestListener): Promise<Loopback> {
  const server = http.createServer(handler);
  const loopback = { server, url: "", connections: 0, closed: 0, close: () => Promise.resolve() };
  server.on("connection", (socket) => {
    loopback.connections++;
    socket.on("close", () => loopback.closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  loopback.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  loopback.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return loopback;
}

const readBody = (req: http.IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => resolve(text));
  });

describe("kept fetch", () => {
  let kept: KeptFetch;
  let loopback: Loopback;
  afterEach(async () => {
    kept?.close();
    await loopback?.close();
  });

  it("sends the method, headers and body, and streams the answer as it comes", async () => {
    let release: () => void = () => undefined;
    loopback = await serve(async (req, res) => {
      const body = await readBody(req);
      res.writeHead(201, { "content-type": "text/event-stream", "x-seen": `${req.method} ${body}` });
      res.write(`data: ${req.headers.authorization}\n\n`);
      release = () => res.end("data: [DONE]\n\n");
    });
    kept = createKeptFetch();
    const res = await kept.fetch(`${loopback.url}/v1/chat`, {
      method: "post",
      headers: new Headers({ authorization: "Bearer k" }),
      body: '{"model":"m"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-seen")).toBe('POST {"model":"m"}');
    const reader = res.body!.getReader();
    // The first event is readable before the server has finished the answer.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: Bearer k\n\n");
    release();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: [DONE]\n\n");
    expect((await reader.read()).done).toBe(true);
  });

  it("streams the answer as it comes to a `for await` over the body too (the SDKs read so), and stops it on abort", async () => {
    let release: () => void = () => undefined;
    loopback = await serve((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: one\n\n");
      if (req.url === "/whole") release = () => res.end("data: two\n\n");
    });
    kept = createKeptFetch();
    const chunks = (await kept.fetch(`${loopback.url}/whole`)).body!;
    const heard: string[] = [];
    for await (const chunk of chunks) {
      heard.push(new TextDecoder().decode(chunk));
      // The first event came before the server finished the answer.
      if (heard.length === 1) release();
    }
    expect(heard).toEqual(["data: one\n\n", "data: two\n\n"]);

    const late = new AbortController();
    const res = await kept.fetch(`${loopback.url}/open`, { signal: late.signal });
    const iterator = res.body![Symbol.asyncIterator]();
    expect(new TextDecoder().decode((await iterator.next()).value)).toBe("data: one\n\n");
    late.abort();
    await expect(iterator.next()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("keeps one connection for request after request, and says it is open", async () => {
    loopback = await serve((_req, res) => res.end("ok"));
    kept = createKeptFetch();
    expect(kept.idleConnections(loopback.url)).toBe(0);
    for (let i = 0; i < 3; i++) expect(await (await kept.fetch(`${loopback.url}/x`)).text()).toBe("ok");
    await new Promise((r) => setImmediate(r));
    expect(loopback.connections).toBe(1);
    expect(kept.idleConnections(`${loopback.url}/other/path`)).toBe(1);
  });

  it("sends again on a new connection when the kept one was closed under the request", async () => {
    let requests = 0;
    loopback = await serve((req, res) => {
      requests++;
      // The second request arrives on the kept connection, which the server drops unanswered.
      if (requests === 2) return req.socket.destroy();
      res.end(`answer ${requests}`);
    });
    kept = createKeptFetch();
    expect(await (await kept.fetch(loopback.url)).text()).toBe("answer 1");
    await new Promise((r) => setImmediate(r));
    expect(await (await kept.fetch(loopback.url, { method: "POST", body: "{}" })).text()).toBe("answer 3");
    expect(loopback.connections).toBe(2);
  });

  it("fails a request whose new connection is dropped, rather than sending it twice", async () => {
    let requests = 0;
    loopback = await serve((req) => {
      requests++;
      req.socket.destroy();
    });
    kept = createKeptFetch();
    await expect(kept.fetch(loopback.url, { method: "POST", body: "{}" })).rejects.toThrow();
    expect(requests).toBe(1);
  });

  it("stops on abort, before the answer and while its body streams", async () => {
    loopback = await serve((req, res) => {
      if (req.url === "/slow") return;
      res.writeHead(200);
      res.write("first");
    });
    kept = createKeptFetch();
    const early = new AbortController();
    const pending = kept.fetch(`${loopback.url}/slow`, { signal: early.signal });
    early.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });

    const late = new AbortController();
    const res = await kept.fetch(`${loopback.url}/stream`, { signal: late.signal });
    const reader = res.body!.getReader();
    await reader.read();
    late.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("decodes a compressed answer", async () => {
    loopback = await serve((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(zlib.gzipSync("plain words"));
    });
    kept = createKeptFetch();
    const res = await kept.fetch(loopback.url);
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(await res.text()).toBe("plain words");
  });

  it("warms up only when no connection is open, once at a time", async () => {
    loopback = await serve((_req, res) => res.end("[]"));
    const { server } = loopback;
    // A server that announces a long keep-alive (node's default is 5 s).
    server.keepAliveTimeout = 60_000;
    kept = createKeptFetch();
    let warmups = 0;
    const warmup = warmupOnDemand(kept, `${loopback.url}/v1`, async () => {
      warmups++;
      await (await kept.fetch(`${loopback.url}/v1/models`)).text();
    });
    await Promise.all([warmup(), warmup()]);
    expect(warmups).toBe(1);
    expect(kept.idleConnections(loopback.url)).toBe(1);
    await warmup();
    expect(warmups).toBe(1);
    // The server closes the idle connection (its keep-alive ran out): the next warmup opens one again.
    server.closeIdleConnections();
    while (kept.idleConnections(loopback.url) > 0) await new Promise((r) => setTimeout(r, 5));
    await warmup();
    expect(warmups).toBe(2);
  });

  it("closes a kept connection before the server's announced limit, and renews one about to run out", async () => {
    loopback = await serve((_req, res) => res.end("[]"));
    // Node's server announces its limit: Keep-Alive: timeout=3.
    loopback.server.keepAliveTimeout = 3000;
    kept = createKeptFetch();
    let warmups = 0;
    const warmup = warmupOnDemand(kept, loopback.url, async () => {
      warmups++;
      await (await kept.fetch(`${loopback.url}/v1/models`)).text();
    });
    await warmup();
    expect(warmups).toBe(1);
    // Open now, but closed (by us, a second early) before a turn a few seconds ahead would use it.
    expect(kept.idleConnections(loopback.url)).toBe(1);
    expect(kept.idleConnections(loopback.url, 2500)).toBe(0);
    await warmup();
    expect(warmups).toBe(2);
    expect(loopback.connections).toBe(1);
    // Nothing asks for it: it is closed before the server would have, and the next request opens one.
    while (loopback.closed === 0) await new Promise((r) => setTimeout(r, 20));
    expect(kept.idleConnections(loopback.url)).toBe(0);
    expect(await (await kept.fetch(loopback.url)).text()).toBe("[]");
    expect(loopback.connections).toBe(2);
  });
});
