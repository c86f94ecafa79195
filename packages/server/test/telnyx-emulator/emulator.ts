import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type CalleeFactory, scriptedCallee } from "./callee.ts";
import {
  type BridgeLeg,
  type CallHost,
  type CallTimings,
  type DialBody,
  EmulatedCall,
} from "./emulated-call.ts";
import { scenarioFor } from "./magic-numbers.ts";
import { TelnyxSpec } from "./spec-validator.ts";
import { ACTIONS, E, type TelnyxError } from "./telnyx-errors.ts";
import { WebhookSigner, webhookEnvelope } from "./webhook-sender.ts";

export interface EmulatorOptions {
  port?: number;
  /** The API key the emulator accepts (Bearer); any non-empty key if undefined. */
  apiKey?: string;
  /** The published spec to validate against; `null` runs without validation (no ../shared beside the clone). */
  spec?: TelnyxSpec | null;
  calleeFactory?: CalleeFactory;
  timings?: Partial<CallTimings>;
  /** Delay before the dial response is sent (the call is placed at once): for SDK timeout tests. */
  dialResponseDelayMs?: number;
  /** The dial response also waits for this (after the delay): lets a test order it after the webhooks. */
  dialResponseGate?: Promise<unknown>;
  /**
   * The dial's connection drops once the call is placed, with no response: the caller cannot know
   * whether the call exists (as when its own timeout gives up on a slow answer).
   */
  dialDropsAfterPlacing?: boolean;
  /** Concurrent-call limit of the emulated account; Telnyx's default for new accounts is low. */
  channelLimit?: number;
  /** Each webhook is delivered this many times (a retry storm). */
  webhookCopies?: number;
  /** API requests allowed per second before Telnyx's 429 "Too many requests". */
  requestsPerSecond?: number;
}

export interface RecordedRequest {
  operationId: string;
  callControlId: string | undefined;
  body: unknown;
  specErrors: string[];
}

export interface RecordedWebhook {
  eventType: string;
  callControlId: string;
  status: number | undefined;
  specErrors: string[];
}

const UNCHECKED = { ok: true, errors: [] as string[] };
/** A webhook the application did not answer goes again, this many times in all, this far apart. */
const DELIVERY_ATTEMPTS = 3;
const REDELIVERY_PAUSE_MS = 250;

/**
 * An offline Telnyx: the Call Control REST endpoints the adapter uses, signed webhooks to each call's
 * webhook_url, and a media-stream client per answered call. Every request is checked against the
 * published spec (violations are answered as Telnyx would and recorded), and so is every webhook sent,
 * unless it runs without the spec (`spec: null`).
 */
export class TelnyxEmulator implements CallHost {
  readonly signer = new WebhookSigner();
  readonly spec: TelnyxSpec | null;
  readonly calls = new Map<string, EmulatedCall>();
  readonly requests: RecordedRequest[] = [];
  readonly webhooks: RecordedWebhook[] = [];
  readonly timings: CallTimings;
  readonly calleeFactory: CalleeFactory;
  private readonly dialCommands = new Map<string, EmulatedCall>();
  private readonly deliveries = new Map<string, Promise<void>>();
  private server: Server | undefined;
  private window = { second: 0, count: 0 };
  private baseUrl = "";

  constructor(private readonly options: EmulatorOptions = {}) {
    this.spec = options.spec === undefined ? new TelnyxSpec() : options.spec;
    this.calleeFactory = options.calleeFactory ?? scriptedCallee();
    this.timings = {
      ringMs: 1500,
      noAnswerMs: undefined,
      dropAfterMs: 3000,
      bridgedTalkMs: 60_000,
      amdMs: 1500,
      recordingDelayMs: 1000,
      ...options.timings,
    };
  }

  get publicKey(): string {
    return this.signer.publicKeyBase64;
  }

  /** The SDK's baseURL for this emulator (Telnyx's API lives under /v2). */
  get apiBaseUrl(): string {
    return `${this.baseUrl}/v2`;
  }

  /** Requests and webhooks that did not match the spec: a test expects none. */
  get violations(): string[] {
    return [
      ...this.requests
        .filter((r) => r.specErrors.length)
        .map((r) => `${r.operationId}: ${r.specErrors.join("; ")}`),
      ...this.webhooks
        .filter((w) => w.specErrors.length)
        .map((w) => `${w.eventType}: ${w.specErrors.join("; ")}`),
    ];
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch(() =>
        this.json(res, 500, { errors: [{ code: "10007", title: "Unexpected error" }] }),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    for (const call of this.calls.values()) call.dispose();
    await Promise.allSettled([...this.deliveries.values()]);
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive sockets from the SDK would hold close() open until they time out.
    server.closeAllConnections();
    await closed;
  }

  /** Resolves once every webhook queued so far has been delivered. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.deliveries.values()]);
  }

  activeCalls(): number {
    return [...this.calls.values()].filter((c) => c.phase !== "ended").length;
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private error(res: ServerResponse, e: TelnyxError, pointer?: string): void {
    const err = {
      code: e.code,
      title: e.title,
      detail: e.detail,
      ...(pointer ? { source: { pointer } } : {}),
    };
    this.json(res, e.status, { errors: [err] });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    if (req.method === "GET" && url.pathname.startsWith("/recordings/")) {
      res.writeHead(200, { "content-type": "audio/mpeg" }).end(Buffer.alloc(0));
      return;
    }
    const auth = req.headers.authorization;
    const key = auth?.startsWith("Bearer ") ? auth.slice(7) : "";
    if (!key || (this.options.apiKey !== undefined && key !== this.options.apiKey)) {
      this.error(res, E.auth);
      return;
    }
    if (this.overRate()) {
      res.setHeader("retry-after", "1");
      this.error(res, E.tooMany);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
    } catch {
      this.error(res, E.badJson);
      return;
    }
    if (req.method === "POST" && url.pathname === "/v2/calls") {
      await this.dial(body, res);
      return;
    }
    const m = /^\/v2\/calls\/([^/]+)\/actions\/([a-z_]+)$/.exec(url.pathname);
    const op = m ? ACTIONS[m[2]!] : undefined;
    if (req.method !== "POST" || !m || !op) {
      this.error(res, E.notFound);
      return;
    }
    this.action(op, decodeURIComponent(m[1]!), body, res);
  }

  private overRate(): boolean {
    const limit = this.options.requestsPerSecond;
    if (limit === undefined) return false;
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.window.second) this.window = { second, count: 0 };
    return ++this.window.count > limit;
  }

  /** Records the request; answers 422 as Telnyx does if it breaks the schema. */
  private checked(
    operationId: string,
    callControlId: string | undefined,
    body: unknown,
    res: ServerResponse,
  ): boolean {
    const check = this.spec?.checkRequest(operationId, body) ?? UNCHECKED;
    this.requests.push({ operationId, callControlId, body, specErrors: check.errors });
    if (check.ok || !this.spec) return true;
    const first = this.spec.requestValidator(operationId).errors?.[0];
    const missing = first?.keyword === "required";
    const e: TelnyxError = missing
      ? { status: 422, code: "10004", title: "Missing required parameter", detail: check.errors[0] ?? "" }
      : first?.keyword === "enum"
        ? { status: 422, code: "10032", title: "Invalid enumerated value", detail: check.errors[0] ?? "" }
        : { status: 422, code: "10015", title: "Bad Request", detail: check.errors[0] ?? "" };
    this.error(res, e, first?.instancePath || undefined);
    return false;
  }

  private async dial(raw: unknown, res: ServerResponse): Promise<void> {
    if (!this.checked("DialCall", undefined, raw, res)) return;
    const body = raw as DialBody & { command_id?: string };
    // Telnyx ignores a repeated Dial with the same command_id: same call, no second ring.
    const previous = body.command_id ? this.dialCommands.get(body.command_id) : undefined;
    if (previous) {
      await this.respondDial(previous, res);
      return;
    }
    if (typeof body.to !== "string" || !/^\+[1-9]\d{6,14}$/.test(body.to)) {
      this.error(res, E.e164, "/to");
      return;
    }
    if (scenarioFor(body.to) === "dial_refused") {
      this.error(res, E.refused);
      return;
    }
    const overLimit = this.activeCalls() >= (this.options.channelLimit ?? 10);
    const call = new EmulatedCall(body, this, overLimit);
    this.calls.set(call.callControlId, call);
    if (body.command_id) this.dialCommands.set(body.command_id, call);
    call.start();
    await this.respondDial(call, res);
  }

  private async respondDial(call: EmulatedCall, res: ServerResponse): Promise<void> {
    if (this.options.dialDropsAfterPlacing) {
      res.socket?.destroy();
      return;
    }
    const delay = this.options.dialResponseDelayMs ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    await this.options.dialResponseGate;
    this.json(res, 200, {
      data: {
        call_control_id: call.callControlId,
        call_leg_id: call.callLegId,
        call_session_id: call.callSessionId,
        client_state: call.body.client_state,
        is_alive: call.phase !== "ended",
        record_type: "call",
        ...(call.body.record ? { recording_id: call.recordingId } : {}),
      },
    });
  }

  private action(op: string, ccid: string, raw: unknown, res: ServerResponse): void {
    if (!this.checked(op, ccid, raw, res)) return;
    const call = this.calls.get(ccid);
    const refusal = !call ? E.invalidId : call.phase === "ended" ? E.ended : this.precondition(op, call);
    if (refusal || !call) {
      this.error(res, refusal ?? E.invalidId);
      return;
    }
    this.json(res, 200, { data: { result: "ok" } });
    const body = raw as Record<string, unknown>;
    if (op === "HangupCall") call.hangupByCaller();
    else if (op === "SendDTMF") call.sendDtmf(String(body["digits"] ?? ""));
    else if (op === "TransferCall") {
      call.transfer(
        String(body["to"]),
        typeof body["from"] === "string" ? body["from"] : call.body.from,
        typeof body["target_leg_client_state"] === "string" ? body["target_leg_client_state"] : undefined,
        typeof body["timeout_secs"] === "number" ? body["timeout_secs"] : undefined,
      );
    }
  }

  /** Commands that need an answered call are refused on a ringing one, as Telnyx does. */
  private precondition(op: string, call: EmulatedCall): TelnyxError | undefined {
    if (op === "SendDTMF" && call.phase === "ringing") return E.notAnswered;
    if (op === "TransferCall" && call.phase !== "answered") return E.notAnswered;
    return undefined;
  }

  recordingUrl(call: EmulatedCall): string {
    return `${this.baseUrl}/recordings/${encodeURIComponent(call.callControlId)}.mp3`;
  }

  onEnded(_call: EmulatedCall): void {}

  emit(call: EmulatedCall, eventType: string, extra: Record<string, unknown> = {}, leg?: BridgeLeg): void {
    const payload: Record<string, unknown> = {
      call_control_id: leg?.callControlId ?? call.callControlId,
      call_leg_id: leg?.callLegId ?? call.callLegId,
      call_session_id: call.callSessionId,
      connection_id: call.body.connection_id,
      from: leg?.from ?? call.body.from,
      to: leg?.to ?? call.body.to,
      ...(leg
        ? leg.clientState
          ? { client_state: leg.clientState }
          : {}
        : call.body.client_state
          ? { client_state: call.body.client_state }
          : {}),
      ...extra,
    };
    if (eventType === "call.recording.saved" || eventType === "call.machine.detection.ended") {
      delete payload["call_control_id"];
      if (eventType === "call.recording.saved") {
        delete payload["from"];
        delete payload["to"];
      }
    }
    const envelope = webhookEnvelope(eventType, payload, randomUUID());
    const check = this.spec?.checkWebhook(eventType, envelope) ?? UNCHECKED;
    const record: RecordedWebhook = {
      eventType,
      callControlId: String(payload["call_control_id"] ?? call.callControlId),
      status: undefined,
      specErrors: check.errors,
    };
    this.webhooks.push(record);
    const url = call.webhookUrl;
    if (!url) return;
    // One delivery queue per call keeps Telnyx's usual order; tests reorder deliberately when they need to.
    const prev = this.deliveries.get(call.callControlId) ?? Promise.resolve();
    const next = prev.then(() => this.deliver(url, envelope, record));
    this.deliveries.set(call.callControlId, next);
  }

  private async deliver(url: string, envelope: object, record: RecordedWebhook): Promise<void> {
    const copies = this.options.webhookCopies ?? 1;
    for (let i = 0; i < copies; i++) {
      // Telnyx delivers again when the application does not answer (a reused connection the service had
      // just closed, say): a refusal (4xx) stands, as it does there.
      for (let attempt = 0; attempt < DELIVERY_ATTEMPTS; attempt++) {
        if (attempt > 0) await sleep(REDELIVERY_PAUSE_MS);
        const signed = this.signer.signed(envelope);
        try {
          const res = await fetch(url, { method: "POST", headers: signed.headers, body: signed.raw });
          record.status = res.status;
          await res.arrayBuffer();
        } catch {
          record.status = 0;
        }
        if (record.status !== 0 && record.status < 500) break;
      }
    }
  }
}

export async function startTelnyxEmulator(options: EmulatorOptions = {}): Promise<TelnyxEmulator> {
  const emulator = new TelnyxEmulator(options);
  await emulator.listen();
  return emulator;
}
