import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CallView } from "@clawcall/contract";

export interface StubReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (for timeouts). */
  hang?: boolean;
  /** Answer as an event stream with these payloads (one `data:` message each), then end it. */
  events?: unknown[];
}
export interface StubRequest {
  method: string;
  url: string;
  apiKey: string | undefined;
  idempotencyKey: string | undefined;
  body: unknown;
}

/**
 * A tiny loopback HTTP server for unit tests of cases the sandbox cannot produce on demand (a 500, a
 * hung connection, a dropped call). Real sockets, real fetch: nothing in the SDK is stubbed.
 */
export async function startStub(reply: (req: StubRequest) => StubReply): Promise<{
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}> {
  const requests: StubRequest[] = [];
  const read = async (req: IncomingMessage) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    return text ? JSON.parse(text) : undefined;
  };
  const server: Server = createServer(async (req, res) => {
    const entry = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      apiKey: req.headers["x-api-key"] as string | undefined,
      idempotencyKey: req.headers["idempotency-key"] as string | undefined,
      body: await read(req),
    };
    requests.push(entry);
    const r = reply(entry);
    if (r.hang) return;
    if (r.events) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const e of r.events) res.write(`event: message\ndata: ${JSON.stringify(e)}\n\n`);
      res.end();
      return;
    }
    res.writeHead(r.status, { "content-type": "application/json", ...r.headers });
    res.end(r.body === undefined ? "" : JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function callView(overrides: Partial<CallView> & { call_id: string }): CallView {
  return {
    id: overrides.call_id,
    status: "queued",
    lifecycle: "queued",
    to: "+12125550100",
    numbers: { to: "+12125550100", from: "+12025550200", bridge_from: null },
    task: "t",
    personality: null,
    greeting: null,
    voice: "jessica",
    direction: "outbound",
    transcript: [],
    recordingUrl: null,
    recording_url: null,
    talk_seconds: null,
    timestamps: {
      queued_at: "2026-03-04T17:00:00.000Z",
      dialing_at: null,
      answered_at: null,
      finalized_at: null,
    },
    _meta: { balance_seconds: 600 },
    api_key: "k",
    ...overrides,
  };
}
