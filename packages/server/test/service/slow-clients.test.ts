import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/logger.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

/**
 * A raw TCP client bound to its own loopback address (all of 127.0.0.0/8 is loopback), so one test can
 * play several clients. Collects what the server sends and notes when the server closes the socket.
 */
interface RawClient {
  socket: net.Socket;
  received(): string;
  closed: Promise<void>;
}

async function connectFrom(base: string, localAddress: string): Promise<RawClient> {
  const { hostname, port } = new URL(base);
  const socket = net.connect({ host: hostname, port: Number(port), localAddress });
  let data = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    data += chunk;
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("close", () => reject(new Error("closed before connecting")));
  });
  return { socket, received: () => data, closed };
}

/** Headers of a POST /call whose body will arrive slowly (or never). */
const slowPost =
  "POST /call HTTP/1.1\r\nhost: clawcall\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{";

async function get(base: string, path: string, localAddress: string): Promise<string> {
  const c = await connectFrom(base, localAddress);
  c.socket.write(`GET ${path} HTTP/1.1\r\nhost: clawcall\r\nconnection: close\r\n\r\n`);
  await c.closed;
  return c.received();
}

describe("clients that send slowly or hold many connections", () => {
  let service: TestService;
  const logLines: string[] = [];

  beforeAll(async () => {
    service = await startTestService(
      { CLAWCALL_REQUEST_TIMEOUT_SECONDS: "1", CLAWCALL_CONNECTIONS_PER_ADDRESS: "4" },
      { logger: createLogger("warn", { write: (line: string) => void logLines.push(line) }) },
    );
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("one address dripping bodies on many connections cannot keep another client from being served", async () => {
    const slow: RawClient[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await connectFrom(service.url, "127.0.0.2");
      c.socket.write(slowPost);
      slow.push(c);
    }
    // Over its cap, the same address is refused at once and is never served.
    const extra = await connectFrom(service.url, "127.0.0.2");
    extra.socket.write("GET /healthz HTTP/1.1\r\nhost: clawcall\r\n\r\n");
    await extra.closed;
    expect(extra.received()).not.toMatch(/^HTTP\/1\.1 200/);

    // Another client is served while the slow ones are still connected.
    expect(await get(service.url, "/healthz", "127.0.0.3")).toMatch(/^HTTP\/1\.1 200/);
    const placed = await service.request("POST", "/call", {
      body: { to: "+12125550101", task: "Ask whether they are open on Saturday." },
    });
    expect(placed.status).toBe(201);

    // Each slow request is ended with an error in the API's envelope, and its connection closed.
    await Promise.all(slow.map((c) => c.closed));
    for (const c of slow) {
      expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
      expect(c.received()).toContain('"code":"request_timeout"');
    }
    // With its connections gone, the address is served again.
    expect(await get(service.url, "/healthz", "127.0.0.2")).toMatch(/^HTTP\/1\.1 200/);

    const warnings = logLines.map((l) => JSON.parse(l) as { msg: string; limit?: string; client?: string });
    expect(warnings).toContainEqual(
      expect.objectContaining({ limit: "connections per address", client: "127.0.0.2" }),
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({ limit: "request timeout", client: "127.0.0.2" }),
    );
  });

  it("answers what Node's parser rejects in the error envelope", async () => {
    const c = await connectFrom(service.url, "127.0.0.4");
    c.socket.write(
      "POST /call HTTP/1.1\r\nhost: clawcall\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 400/);
    expect(c.received()).toContain('"code":"invalid_request"');

    const big = await connectFrom(service.url, "127.0.0.4");
    big.socket.write(`GET /healthz HTTP/1.1\r\nhost: clawcall\r\nx-filler: ${"a".repeat(20_000)}\r\n\r\n`);
    await big.closed;
    expect(big.received()).toMatch(/^HTTP\/1\.1 431/);
    expect(big.received()).toContain('"code":"headers_too_large"');
  });
});

describe("a client over a request limit", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ CLAWCALL_REQUESTS_PER_MINUTE: "2" });
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("is answered 429 with connection: close and disconnected while its body is still dripping", async () => {
    for (let i = 0; i < 2; i++) expect(await get(service.url, "/nothing", "127.0.0.5")).toMatch(/404/);
    const c = await connectFrom(service.url, "127.0.0.5");
    c.socket.write(slowPost);
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 429/);
    expect(c.received().toLowerCase()).toContain("connection: close");
    expect(c.received()).toContain('"code":"rate_limited"');
  });
});

describe("a trusted proxy", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      CLAWCALL_CONNECTIONS_PER_ADDRESS: "2",
      CLAWCALL_TRUSTED_PROXIES: "127.0.0.9",
    });
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("carries many clients, so its connections are not capped per address", async () => {
    const held: RawClient[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await connectFrom(service.url, "127.0.0.9");
      c.socket.write(slowPost);
      held.push(c);
    }
    expect(await get(service.url, "/healthz", "127.0.0.9")).toMatch(/^HTTP\/1\.1 200/);
    for (const c of held) c.socket.destroy();
  });
});
