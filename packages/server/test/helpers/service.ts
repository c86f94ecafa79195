import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { ConversationEngine } from "../../src/calls/conversation.ts";
import type { Env } from "../../src/config/config.ts";
import type { Logger } from "../../src/observability/logger.ts";
import { type RunningService, startService } from "../../src/service.ts";
import { TEST_SPEECH_CACHE } from "./speech-cache.ts";

export interface TestService extends RunningService {
  dataDir: string;
  /** Sends a request to the service over loopback HTTP. */
  request(
    method: string,
    url: string,
    options?: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<TestResponse>;
  /** Closes the service and removes its data folder. */
  dispose(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  body: any;
  text: string;
}

/** Settings that keep tests quick: short rings, generous request limits, silent logs, an ephemeral port. */
export const FAST_ENV: Env = {
  PORT: "0",
  HOST: "127.0.0.1",
  CLAWCALL_LOG_LEVEL: "silent",
  CLAWCALL_SANDBOX_RING_SECONDS: "0.2",
  CLAWCALL_REQUESTS_PER_MINUTE: "100000",
  CLAWCALL_MINTS_PER_HOUR: "100000",
  CLAWCALL_FREE_RINGING_PER_CLIENT: "100000",
  CLAWCALL_SANDBOX_SPEECH_CACHE: TEST_SPEECH_CACHE,
};

export async function startTestService(
  env: Env = {},
  options: { engine?: ConversationEngine; dataDir?: string; logger?: Logger } = {},
): Promise<TestService> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-test-"));
  const service = await startService({
    env: { ...FAST_ENV, CLAWCALL_DATA_DIR: dataDir, ...env },
    engine: options.engine,
    logger: options.logger,
  });
  return Object.assign(service, {
    dataDir,
    request: (method: string, url: string, o: Parameters<TestService["request"]>[2] = {}) =>
      httpRequest(service.url, method, url, o),
    async dispose() {
      await service.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export async function httpRequest(
  base: string,
  method: string,
  url: string,
  o: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.key) headers["x-api-key"] = o.key;
  let body: string | undefined;
  if (o.raw !== undefined) body = o.raw;
  else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(base + url, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Polls a call until it is final, collecting every status seen on the way (in order, no repeats). */
export async function pollUntilFinal(
  service: Pick<TestService, "request">,
  key: string,
  callId: string,
  { intervalMs = 25, timeoutMs = 20_000, initial = "queued" } = {},
): Promise<{ seen: string[]; call: TestResponse["body"] }> {
  // The 201 of POST /call is the first status a client sees.
  const seen: string[] = [initial];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await service.request("GET", `/call/${callId}`, { key });
    if (res.status !== 200) throw new Error(`GET /call/${callId} answered ${res.status}: ${res.text}`);
    const status = res.body.status as string;
    if (seen.at(-1) !== status) seen.push(status);
    if (status === "completed" || status === "failed") return { seen, call: res.body };
    if (Date.now() > deadline) throw new Error(`call ${callId} still ${status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A free loopback port, so the service's public URL (sent to the emulator) is known before it listens. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * The service on CLAWCALL_CARRIER=telnyx against a Telnyx emulator accepting `apiKey`. Its port is chosen
 * first, since the public URL it gives the emulator for webhooks and media must be known before it listens.
 */
export async function startTelnyxTestService(
  emulator: { publicKey: string; apiBaseUrl: string },
  options: { engine: ConversationEngine; apiKey: string; callerNumbers: number },
): Promise<TestService> {
  const port = await freePort();
  return startTestService(
    {
      PORT: String(port),
      CLAWCALL_PUBLIC_URL: `http://127.0.0.1:${port}`,
      CLAWCALL_CARRIER: "telnyx",
      TELNYX_API_KEY: options.apiKey,
      TELNYX_PUBLIC_KEY: emulator.publicKey,
      TELNYX_CONNECTION_ID: "1234567890",
      TELNYX_BASE_URL: emulator.apiBaseUrl,
      CLAWCALL_CALLER_NUMBERS: Array.from(
        { length: options.callerNumbers },
        (_, i) => `+1312555${String(180 + i).padStart(4, "0")}`,
      ).join(","),
      CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "20",
    },
    { engine: options.engine },
  );
}
