import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A node:http server on 127.0.0.1 with an ephemeral port that can be torn down with its open sockets. */
export interface LoopbackServer {
  server: Server;
  origin: string;
  /** TCP connections accepted so far: lets tests see whether a warmed-up connection was reused. */
  connections(): number;
  close(): Promise<void>;
}

export async function startLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  server.on("connection", (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Resolves after `ms`, or at once when the client has gone away, so fakes never write into closed sockets. */
export function pause(ms: number, res?: ServerResponse): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      res?.off("close", done);
      resolve();
    }
    res?.once("close", done);
  });
}

/** True once the client closed the response (aborted or disconnected). */
export function gone(res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded;
}

/** Ends a streamed response abruptly: the socket is destroyed without the final chunk. */
export function cutOff(res: ServerResponse): void {
  res.socket?.destroy();
}
