import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** Loopback receivers, and retries quick enough for a test (settings, as an operator would set them). */
export const WEBHOOK_TEST_ENV = {
  CLAWCALL_WEBHOOKS_ALLOW_LOOPBACK: "true",
  CLAWCALL_WEBHOOKS_RETRY_SECONDS: "0.2",
  CLAWCALL_WEBHOOKS_POLL_SECONDS: "0.1",
};

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  json: any;
  /** The status this receiver answered. */
  answered: number;
}

/**
 * A webhook receiver on loopback: records every request and answers with `answer(request)` (200 unless
 * told otherwise).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  answer: (r: Omit<Received, "answered">) => { status: number; headers?: Record<string, string> } = () => ({
    status: 200,
  });
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {}
      const request = { path: req.url ?? "", headers: req.headers, body, json };
      const { status, headers } = this.answer(request);
      this.received.push({ ...request, answered: status });
      res.writeHead(status, headers).end("ok");
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** The requests of one event type, in arrival order. */
  of(type: string): Received[] {
    return this.received.filter((r) => r.headers["clawcall-event-type"] === type);
  }

  /** Waits until `predicate` holds over what was received. */
  async until(predicate: (received: Received[]) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) {
        const seen = this.received.map((r) => `${r.headers["clawcall-event-type"]}→${r.answered}`);
        throw new Error(`webhook receiver: condition not met; received ${seen.join(", ") || "nothing"}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

type Verify = (secret: string, header: string, rawBody: string, toleranceSeconds?: number) => boolean;

/** The verification snippet of docs/guides/webhooks.md, loaded as a receiver would copy it. */
export async function documentedVerifier(): Promise<Verify> {
  const guide = fs.readFileSync(new URL("../../../../docs/guides/webhooks.md", import.meta.url), "utf8");
  const code = /<!-- verify-snippet -->\s*```js\n([\s\S]*?)```\s*<!-- \/verify-snippet -->/.exec(guide)?.[1];
  if (!code) throw new Error("docs/guides/webhooks.md has no verification snippet");
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-snippet-")), "verify.mjs");
  fs.writeFileSync(file, code);
  const mod = (await import(pathToFileURL(file).href)) as { verifyClawCallSignature: Verify };
  return mod.verifyClawCallSignature;
}
