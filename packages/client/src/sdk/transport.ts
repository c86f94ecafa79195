import {
  ErrorBodySchema,
  HEADER_API_KEY,
  HEADER_BALANCE_SECONDS,
  HEADER_MINTED_KEY,
} from "@clawcall/contract";
import type { z } from "zod";
import { ClawCallError } from "./errors.ts";
import type { KeyStore } from "./key-store.ts";

export const DEFAULT_BASE_URL = "http://127.0.0.1:8787";
export const DEFAULT_TIMEOUT_MS = 30_000;
export const USER_AGENT = "clawcall-client/0.1.0";

/** Where the key in use came from; only keys read from (or written to) the key file are ever forgotten. */
export type KeySource = "option" | "env" | "file" | "minted";

export interface TransportOptions {
  baseUrl: string;
  apiKey: string | undefined;
  apiKeySource: "option" | "env" | undefined;
  keyStore: KeyStore | null;
  timeoutMs: number;
  fetch: typeof fetch;
}

export interface RequestOptions<T> {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  schema?: z.ZodType<T>;
  signal?: AbortSignal | undefined;
  /** Per-request override; 0 disables (used for the long-lived event stream). */
  timeoutMs?: number;
  /** POST /call is the one request that may go without a key (it mints one). */
  keyOptional?: boolean;
  redirect?: "follow" | "manual";
  accept?: string;
  /** Hands back the raw response (event stream, redirects) instead of parsing JSON. */
  raw?: boolean;
  /** Extra request headers (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>;
}

export class Transport {
  readonly baseUrl: string;
  private key: string | undefined;
  private keySource: KeySource | undefined;
  private keyLoaded = false;
  /** Balance from the last response's X-ClawCall-Balance-Seconds header. */
  lastBalanceSeconds: number | null = null;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.key = options.apiKey;
    this.keySource = options.apiKeySource;
    this.keyLoaded = options.apiKey !== undefined;
  }

  async currentKey(): Promise<{ key: string; source: KeySource } | null> {
    if (!this.keyLoaded) {
      const saved = await this.options.keyStore?.load();
      if (saved && this.key === undefined) {
        this.key = saved.api_key;
        this.keySource = "file";
      }
      this.keyLoaded = true;
    }
    return this.key !== undefined && this.keySource !== undefined
      ? { key: this.key, source: this.keySource }
      : null;
  }

  url(path: string, query?: Record<string, string | number | undefined>): string {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async request<T>(path: string, opts: RequestOptions<T> & { raw: true }): Promise<Response>;
  async request<T>(path: string, opts?: RequestOptions<T>): Promise<T>;
  async request<T>(path: string, opts: RequestOptions<T> = {}): Promise<T | Response> {
    const current = await this.currentKey();
    if (!current && !opts.keyOptional) {
      throw new ClawCallError({
        code: "no_api_key",
        message:
          "No ClawCall API key yet: the first call mints one automatically, or set CLAWCALL_API_KEY (or run `clawcall key set`).",
      });
    }
    const headers: Record<string, string> = {
      ...opts.headers,
      accept: opts.accept ?? "application/json",
      "user-agent": USER_AGENT,
    };
    if (current) headers[HEADER_API_KEY] = current.key;
    if (opts.body !== undefined) headers["content-type"] = "application/json";

    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs;
    const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    const signals = [timeout, opts.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;

    let response: Response;
    try {
      response = await this.options.fetch(this.url(path, opts.query), {
        method: opts.method ?? "GET",
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        ...(signal ? { signal } : {}),
        redirect: opts.redirect ?? "follow",
      });
    } catch (e) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? e;
      if (timeout?.aborted) {
        throw new ClawCallError({
          code: "request_timeout",
          message: `ClawCall did not answer within ${Math.round(timeoutMs / 1000)} s (${this.baseUrl}).`,
          cause: e,
        });
      }
      throw new ClawCallError({
        code: "connection_error",
        message: `Could not reach ClawCall at ${this.baseUrl}: is the service running?`,
        cause: e,
      });
    }

    const balance = Number.parseInt(response.headers.get(HEADER_BALANCE_SECONDS) ?? "", 10);
    if (Number.isFinite(balance)) this.lastBalanceSeconds = balance;
    // A minted key is saved before anything else, so it is never lost to a later failure.
    const minted = response.headers.get(HEADER_MINTED_KEY);
    if (minted) await this.adoptMintedKey(minted);

    if (opts.raw && response.status < 400) return response;

    const text = await response.text().catch(() => "");
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!current && !minted && json && typeof json === "object") {
      const bodyKey = (json as { api_key?: unknown }).api_key;
      if (typeof bodyKey === "string" && bodyKey !== "") await this.adoptMintedKey(bodyKey);
    }

    if (!response.ok) throw await this.toError(response, json);
    if (!opts.schema) return json as T;
    const parsed = opts.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ClawCallError({
        code: "invalid_response",
        status: response.status,
        message:
          `Unexpected response from ${path}: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim(),
      });
    }
    return parsed.data;
  }

  private async adoptMintedKey(key: string): Promise<void> {
    if (this.key === key) return;
    this.key = key;
    this.keySource = "minted";
    this.keyLoaded = true;
    await this.options.keyStore?.save(key);
  }

  private async toError(response: Response, json: unknown): Promise<ClawCallError> {
    const retryAfter = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
    const parsed = ErrorBodySchema.safeParse(json);
    if (!parsed.success) {
      return new ClawCallError({
        code: response.status >= 500 ? "service_unavailable" : "invalid_response",
        status: response.status,
        message: `ClawCall answered HTTP ${response.status} without an error body.`,
      });
    }
    const { code, message, action, quota } = parsed.data.error;
    let keyForgotten = false;
    let text = message;
    if (code === "invalid_api_key") {
      if (this.keySource === "file" || this.keySource === "minted") {
        keyForgotten = (await this.options.keyStore?.forget()) ?? false;
        text = `${message} The saved key was forgotten; the next call gets a new key.`;
        this.key = undefined;
        this.keySource = undefined;
      } else if (this.keySource === "env") {
        text = `${message} The key comes from CLAWCALL_API_KEY: fix or unset it.`;
      }
    }
    return new ClawCallError({
      code,
      status: response.status,
      message: text,
      action,
      quota,
      retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : null,
      keyForgotten,
    });
  }
}
