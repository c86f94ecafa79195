import { createHash, createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson, startLoopback } from "./loopback.ts";

/**
 * Stripe's Checkout Sessions API on loopback, in Stripe's wire format: form-encoded POST
 * /v1/checkout/sessions with nested bracket keys, `Authorization: Bearer <secret key>`, `Idempotency-Key`
 * (the same key and body replay the first answer; the same key with another body is an idempotency
 * error), session objects as Stripe returns them, and errors as `{error: {type, code, message}}`. It also
 * plays Stripe's side of the webhooks: a session can be paid, and any event about it signed with the
 * endpoint secret as `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">`.
 */
export interface FakeStripe {
  /** Origin without /v1, as CLAWCALL_STRIPE_API_BASE takes it. */
  url: string;
  readonly requests: FakeStripeRequest[];
  readonly sessions: Map<string, FakeCheckoutSession>;
  /** The next `times` API requests fail with this status and error envelope (not kept for idempotency). */
  failNext(failure: FakeStripeFailure, times?: number): void;
  /** What Checkout does when the buyer pays: the session becomes complete, paid unless told otherwise. */
  complete(sessionId: string, changes?: Partial<FakeCheckoutSession>): FakeCheckoutSession;
  /** An event about a session, signed as Stripe delivers it; `body` is the exact bytes to POST. */
  signedEvent(type: string, session: FakeCheckoutSession, options?: SignOptions): FakeWebhookDelivery;
  close(): Promise<void>;
}

export interface FakeStripeOptions {
  apiKey: string;
  webhookSecret: string;
}

export interface FakeStripeRequest {
  method: string;
  path: string;
  authorization: string;
  idempotencyKey: string | undefined;
  contentType: string;
  /** The form body decoded into nested objects and arrays, values as the strings sent. */
  params: FormValue;
  rawBody: string;
}

export interface FakeStripeFailure {
  status: number;
  type?: string;
  code?: string;
  message?: string;
  /** Sent as Stripe-Should-Retry; the SDK retries a 5xx unless told "false". */
  shouldRetry?: boolean;
}

export interface SignOptions {
  /** Unix seconds of the signature; defaults to now. */
  timestamp?: number;
  /** Signs with another secret, as a forger would. */
  secret?: string;
}

export interface FakeWebhookDelivery {
  body: string;
  headers: Record<string, string>;
  event: { id: string; type: string; data: { object: FakeCheckoutSession } };
}

export type FormValue = string | FormValue[] | { [key: string]: FormValue };

/** The fields of a Checkout Session the fake fills; Stripe sends more, all of them optional to readers. */
export interface FakeCheckoutSession {
  id: string;
  object: "checkout.session";
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer: string | null;
  customer_details: { email: string; name: string | null } | null;
  expires_at: number;
  livemode: false;
  metadata: Record<string, string>;
  mode: string;
  payment_intent: string | null;
  payment_method_types: string[];
  payment_status: "paid" | "unpaid" | "no_payment_required";
  status: "open" | "complete" | "expired";
  success_url: string | null;
  ui_mode: "hosted";
  url: string | null;
}

const API_VERSION = "2025-01-01.fake";

export async function startFakeStripe(options: FakeStripeOptions): Promise<FakeStripe> {
  const requests: FakeStripeRequest[] = [];
  const sessions = new Map<string, FakeCheckoutSession>();
  const replays = new Map<string, { bodyHash: string; status: number; body: unknown }>();
  let failure: { failure: FakeStripeFailure; times: number } | null = null;

  const loopback = await startLoopback(async (req, res) => {
    const rawBody = await readBody(req);
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const idempotencyKey = header(req, "idempotency-key");
    const request: FakeStripeRequest = {
      method: req.method ?? "GET",
      path,
      authorization: header(req, "authorization") ?? "",
      idempotencyKey,
      contentType: header(req, "content-type") ?? "",
      params: parseForm(rawBody),
      rawBody,
    };
    requests.push(request);
    if (request.authorization !== `Bearer ${options.apiKey}`) {
      return error(res, 401, { type: "invalid_request_error", message: "Invalid API Key provided." });
    }
    if (failure && failure.times > 0) {
      failure.times--;
      const f = failure.failure;
      const headers: Record<string, string> =
        f.shouldRetry === undefined ? {} : { "stripe-should-retry": String(f.shouldRetry) };
      return error(
        res,
        f.status,
        {
          type: f.type ?? (f.status >= 500 ? "api_error" : "card_error"),
          code: f.code,
          message: f.message ?? "The fake was told to fail this request.",
        },
        headers,
      );
    }
    if (request.method === "POST" && path === "/v1/checkout/sessions") {
      if (!request.contentType.startsWith("application/x-www-form-urlencoded")) {
        return error(res, 400, { type: "invalid_request_error", message: "Send a form-encoded body." });
      }
      const bodyHash = createHash("sha256").update(rawBody).digest("hex");
      const earlier = idempotencyKey ? replays.get(idempotencyKey) : undefined;
      if (earlier) {
        if (earlier.bodyHash !== bodyHash) {
          return error(res, 400, {
            type: "idempotency_error",
            message:
              "Keys for idempotent requests can only be used with the same parameters they were first used with.",
          });
        }
        return sendJson(res, earlier.status, earlier.body, { "idempotent-replayed": "true" });
      }
      const created = createSession(request.params, loopback.origin);
      if ("error" in created) return error(res, 400, created.error);
      sessions.set(created.id, created);
      if (idempotencyKey) replays.set(idempotencyKey, { bodyHash, status: 200, body: created });
      return sendJson(res, 200, created, { "request-id": `req_${token(14)}`, "stripe-version": API_VERSION });
    }
    const get = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path);
    if (request.method === "GET" && get?.[1]) {
      const session = sessions.get(decodeURIComponent(get[1]));
      if (session) return sendJson(res, 200, session);
      return error(res, 404, {
        type: "invalid_request_error",
        code: "resource_missing",
        message: `No such checkout.session: '${get[1]}'`,
      });
    }
    return error(res, 404, {
      type: "invalid_request_error",
      message: `Unrecognized request URL (${request.method}: ${path}).`,
    });
  });

  return {
    url: loopback.origin,
    requests,
    sessions,
    failNext(f, times = 1) {
      failure = { failure: f, times };
    },
    complete(sessionId, changes = {}) {
      const session = sessions.get(sessionId);
      if (!session) throw new Error(`fake Stripe has no session ${sessionId}`);
      Object.assign(
        session,
        {
          status: "complete",
          payment_status: "paid",
          payment_intent: `pi_${token(24)}`,
          customer_details: { email: "buyer@example.test", name: "Pat Buyer" },
        } satisfies Partial<FakeCheckoutSession>,
        changes,
      );
      return session;
    },
    signedEvent(type, session, sign = {}) {
      const event = {
        id: `evt_${token(24)}`,
        object: "event",
        api_version: API_VERSION,
        created: Math.floor(Date.now() / 1000),
        data: { object: structuredClone(session) },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      };
      const body = JSON.stringify(event, null, 2);
      const timestamp = sign.timestamp ?? Math.floor(Date.now() / 1000);
      const v1 = createHmac("sha256", sign.secret ?? options.webhookSecret)
        .update(`${timestamp}.${body}`)
        .digest("hex");
      return {
        body,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "stripe-signature": `t=${timestamp},v1=${v1}`,
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
        event,
      };
    },
    close: loopback.close,
  };
}

function createSession(params: FormValue, origin: string): FakeCheckoutSession | { error: StripeErrorBody } {
  const p = asObject(params);
  const missing = (param: string) => ({
    error: {
      type: "invalid_request_error",
      code: "parameter_missing",
      param,
      message: `Missing required param: ${param}.`,
    },
  });
  const mode = str(p["mode"]);
  if (!mode) return missing("mode");
  const items = Array.isArray(p["line_items"]) ? p["line_items"] : [];
  if (items.length === 0) return missing("line_items");
  let total = 0;
  let currency = "";
  for (const [i, raw] of items.entries()) {
    const item = asObject(raw);
    const data = asObject(item["price_data"]);
    const amount = Number(str(data["unit_amount"]));
    const quantity = Number(str(item["quantity"]) ?? "1");
    currency = str(data["currency"]) ?? "";
    if (!currency) return missing(`line_items[${i}][price_data][currency]`);
    if (!Number.isInteger(amount) || amount < 1) return missing(`line_items[${i}][price_data][unit_amount]`);
    if (!str(asObject(data["product_data"])["name"]))
      return missing(`line_items[${i}][price_data][product_data][name]`);
    total += amount * quantity;
  }
  const metadata = Object.fromEntries(
    Object.entries(asObject(p["metadata"])).map(([k, v]) => [k, str(v) ?? ""]),
  );
  const id = `cs_test_${token(58)}`;
  const created = Math.floor(Date.now() / 1000);
  return {
    id,
    object: "checkout.session",
    amount_subtotal: total,
    amount_total: total,
    cancel_url: str(p["cancel_url"]) ?? null,
    client_reference_id: str(p["client_reference_id"]) ?? null,
    created,
    currency: currency.toLowerCase(),
    customer: null,
    customer_details: null,
    expires_at: created + 24 * 3600,
    livemode: false,
    metadata,
    mode,
    payment_intent: null,
    payment_method_types: ["card"],
    payment_status: "unpaid",
    status: "open",
    success_url: str(p["success_url"]) ?? null,
    ui_mode: "hosted",
    url: `${origin}/c/pay/${id}`,
  };
}

interface StripeErrorBody {
  type: string;
  code?: string | undefined;
  param?: string;
  message: string;
}

function error(
  res: ServerResponse,
  status: number,
  body: StripeErrorBody,
  headers: Record<string, string> = {},
) {
  sendJson(
    res,
    status,
    { error: { ...body, request_log_url: null } },
    { "request-id": `req_${token(14)}`, ...headers },
  );
}

/** Decodes `a[b][0][c]=v` pairs into nested objects; numeric segments make arrays. */
export function parseForm(body: string): FormValue {
  const root: { [key: string]: FormValue } = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(/\[|\]\[|\]/).filter((s, i) => i === 0 || s !== "");
    let node: { [key: string]: FormValue } | FormValue[] = root;
    for (const [i, segment] of path.entries()) {
      const last = i === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[i + 1]!);
      const slot = node as Record<string, FormValue>;
      if (last) slot[segment] = value;
      else {
        slot[segment] ??= nextIsIndex ? [] : {};
        node = slot[segment] as { [key: string]: FormValue } | FormValue[];
      }
    }
  }
  return root;
}

const asObject = (v: FormValue | undefined): { [key: string]: FormValue } =>
  v && typeof v === "object" && !Array.isArray(v) ? v : {};
const str = (v: FormValue | undefined): string | undefined => (typeof v === "string" ? v : undefined);
const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const token = (n: number) =>
  randomBytes(n)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "")
    .padEnd(n, "0")
    .slice(0, n);
