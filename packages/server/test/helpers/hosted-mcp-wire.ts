import { expect } from "vitest";

/**
 * How the hosted service's MCP client (ClawCall-Dev/ClawCall, folder mcp/, @clawcall/mcp 0.1.0) speaks to
 * the address in its CLAWCALL_BASE_URL. It is not on the npm registry, so its suite here makes its requests
 * the way it makes them, written from its behaviour:
 * - every request, GETs and bodyless POSTs included, declares `Content-Type: application/json`, carries
 *   `X-Api-Key` once a key is saved (none on the first call), and gives up after 30 s;
 * - redirects are followed, except for the recording, where the 3xx and its Location are read;
 * - a body is JSON when it parses, its text when it does not, and an empty object when empty;
 * - any status outside 2xx is an error read from `{error: {code, message, action?, quota?}}`; without that
 *   envelope it only knows `http_<status>`. A 401 `invalid_api_key` makes it forget the saved key.
 */
export interface HostedAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the client reads arbitrary JSON bodies
  json: any;
  headers: Headers;
}

export async function hostedRequest(
  baseUrl: string,
  path: string,
  o: { method?: "GET" | "POST"; key?: string; body?: unknown; manualRedirect?: boolean } = {},
): Promise<HostedAnswer> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (o.key) headers["X-Api-Key"] = o.key;
  const res = await fetch(baseUrl + path, {
    method: o.method ?? "GET",
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    redirect: o.manualRedirect ? "manual" : "follow",
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: unknown = {};
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
  }
  return { status: res.status, json, headers: res.headers };
}

/** An answer the client takes as an error it can name: the status, and the envelope's code and sentence. */
export function expectEnvelope(res: HostedAnswer, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.json?.error?.code).toBe(code);
  expect(typeof res.json.error.message).toBe("string");
  expect(res.json.error.message.length).toBeGreaterThan(0);
}

/**
 * What the client shows the model for an error: the sentence, then the personal links and the quota when
 * the envelope has them.
 */
export function presentedError(res: HostedAnswer): string {
  const e = res.json.error;
  let text = String(e.message);
  if (typeof e.action?.url === "string") text += ` Link: ${e.action.url}`;
  if (typeof e.action?.sign_in_url === "string") text += ` Sign-in: ${e.action.sign_in_url}`;
  if (e.quota && typeof e.quota === "object") text += ` Quota: ${JSON.stringify(e.quota)}`;
  return text;
}

/** The balance it takes from headers (never the body): seconds as a number, and the tier. */
export function balanceFromHeaders(headers: Headers): { balance_seconds?: number; tier?: string } {
  const out: { balance_seconds?: number; tier?: string } = {};
  const seconds = Number(headers.get("x-clawcall-balance-seconds") ?? "");
  if (headers.get("x-clawcall-balance-seconds") && Number.isFinite(seconds)) out.balance_seconds = seconds;
  const tier = headers.get("x-clawcall-tier");
  if (tier) out.tier = tier;
  return out;
}

/**
 * Its view of a call for the model: the id, direction, lifecycle and timestamps, the last six transcript
 * lines (each cut to 200 characters, so every line's text must be a string) and whether any exist, the
 * balance from headers, and once `lifecycle` is `finalized` the outcome, its detail, the talk seconds and
 * the recording link. Nothing else of the body reaches the model.
 */
export function presentedCall(res: HostedAnswer): Record<string, unknown> {
  const call = res.json;
  const transcript: { text: string }[] = call.transcript ?? [];
  const view: Record<string, unknown> = {
    id: call.id,
    direction: call.direction,
    lifecycle: call.lifecycle,
    timestamps: call.timestamps,
    transcript_tail: transcript.slice(-6).map((t) => ({ ...t, text: t.text.slice(0, 200) })),
    transcript_available: transcript.length > 0,
    ...balanceFromHeaders(res.headers),
  };
  if (call.lifecycle === "finalized") {
    Object.assign(view, {
      outcome: call.outcome,
      outcome_detail: call.outcome_detail,
      talk_seconds: call.talk_seconds,
      recording_url: call.recording_url,
    });
  }
  return view;
}

/** The key, or any long run of its random part, appears nowhere in what the model is shown. */
export function expectNoKey(shown: unknown, key: string): void {
  const text = typeof shown === "string" ? shown : JSON.stringify(shown);
  expect(text).not.toContain(key);
  expect(text).not.toContain(key.slice("clawcall_sk_".length, "clawcall_sk_".length + 16));
}
