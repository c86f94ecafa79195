import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import {
  type AccountPhoneView,
  AccountPhoneViewSchema,
  type Balance,
  BalanceSchema,
  type CallCreated,
  CallCreatedSchema,
  type CallEvent,
  CallEventSchema,
  type CallList,
  CallListSchema,
  type CallPreferences,
  type CallPreferencesInput,
  CallPreferencesSchema,
  type CallRequest,
  type CallView,
  CallViewSchema,
  type HangupResult,
  HangupResultSchema,
  HEADER_IDEMPOTENCY_KEY,
  type History,
  type HistoryQuery,
  HistorySchema,
  type Me,
  MeSchema,
  type PhoneVerificationStarted,
  PhoneVerificationStartedSchema,
} from "@clawcall/contract";
import { ClawCallError } from "./errors.ts";
import { KeyStore } from "./key-store.ts";
import { DEFAULT_RETRY_DELAYS, decidePlaceRetry, type RetryDelays } from "./retry-policy.ts";
import { parseSse } from "./sse.ts";
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, type KeySource, Transport } from "./transport.ts";
import {
  type CallAndWaitOptions,
  type CallAndWaitResult,
  callAndWait,
  type WaitOptions,
  waitForCall,
} from "./wait.ts";

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface ClawCallOptions {
  /** Defaults to CLAWCALL_BASE_URL, then http://127.0.0.1:8787. */
  baseUrl?: string;
  /** Defaults to CLAWCALL_API_KEY, then the key file. */
  apiKey?: string;
  /** The key file; `null` keeps keys in memory only. Defaults to ~/.config/clawcall/key.json (XDG aware). */
  keyStore?: KeyStore | null;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Where CLAWCALL_* variables are read from (default process.env). */
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** Pauses of the silent retries; tests shorten them. */
  retryDelays?: Partial<RetryDelays>;
  /** Polling interval of waitForCall (default 3 s, the skill's rate). */
  pollIntervalMs?: number;
  sleep?: Sleep;
}

export interface RequestContext {
  signal?: AbortSignal;
}

export interface PlaceCallContext extends RequestContext {
  /** Names this placement; a new one is made when absent. The same key never places a second call. */
  idempotencyKey?: string;
}

export interface AccountLinks {
  sign_up_url: string;
  sign_in_url: string;
}

const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined);

export class ClawCall {
  readonly transport: Transport;
  readonly keyStore: KeyStore | null;
  readonly retryDelays: RetryDelays;
  readonly pollIntervalMs: number;
  readonly sleep: Sleep;

  constructor(options: ClawCallOptions = {}) {
    const env = options.env ?? process.env;
    const envKey = env.CLAWCALL_API_KEY?.trim() || undefined;
    const apiKey = options.apiKey?.trim() || envKey;
    this.keyStore = options.keyStore === undefined ? new KeyStore({ env }) : options.keyStore;
    this.transport = new Transport({
      baseUrl: options.baseUrl?.trim() || env.CLAWCALL_BASE_URL?.trim() || DEFAULT_BASE_URL,
      apiKey,
      apiKeySource: options.apiKey?.trim() ? "option" : envKey ? "env" : undefined,
      keyStore: this.keyStore,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      fetch: options.fetch ?? globalThis.fetch,
    });
    this.retryDelays = { ...DEFAULT_RETRY_DELAYS, ...options.retryDelays };
    this.pollIntervalMs = options.pollIntervalMs ?? 3_000;
    this.sleep = options.sleep ?? defaultSleep;
  }

  get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /** The key requests will carry and where it came from, or null before the first call. */
  apiKey(): Promise<{ key: string; source: KeySource } | null> {
    return this.transport.currentKey();
  }

  /** Balance seen on the last response (header), without a request. */
  get lastBalanceSeconds(): number | null {
    return this.transport.lastBalanceSeconds;
  }

  /**
   * POST /call. Retries once, silently, when the service refuses with dial_failed or
   * number_pool_exhausted (after 15 s); every other error is thrown as a ClawCallError. Every attempt
   * carries the placement's Idempotency-Key, so no retry can ever place the call twice.
   */
  async placeCall(request: CallRequest, ctx: PlaceCallContext = {}): Promise<CallCreated> {
    const idempotencyKey = ctx.idempotencyKey ?? randomUUID();
    for (let retries = 0; ; retries++) {
      try {
        return await this.transport.request("/call", {
          method: "POST",
          body: request,
          headers: { [HEADER_IDEMPOTENCY_KEY]: idempotencyKey },
          schema: CallCreatedSchema,
          keyOptional: true,
          signal: ctx.signal,
        });
      } catch (e) {
        const decision = decidePlaceRetry(e, retries, this.retryDelays);
        if (!decision.retry) throw e;
        await this.sleep(decision.delayMs, ctx.signal);
      }
    }
  }

  getCall(callId: string, ctx: RequestContext = {}): Promise<CallView> {
    return this.transport.request(`/call/${encodeURIComponent(callId)}`, {
      schema: CallViewSchema,
      signal: ctx.signal,
    });
  }

  /** Ends or cancels a call; safe to repeat on a finished call. */
  hangup(callId: string, ctx: RequestContext = {}): Promise<HangupResult> {
    return this.transport.request(`/call/${encodeURIComponent(callId)}/hangup`, {
      method: "POST",
      schema: HangupResultSchema,
      signal: ctx.signal,
    });
  }

  /** One page of GET /calls, newest first. */
  listCalls(query: { limit?: number; before?: string } = {}, ctx: RequestContext = {}): Promise<CallList> {
    return this.transport.request("/calls", {
      query: { limit: query.limit, before: query.before },
      schema: CallListSchema,
      signal: ctx.signal,
    });
  }

  /** Every call of the key (or its account), newest first, fetching pages as the loop asks for them. */
  async *calls(
    options: { pageSize?: number; before?: string; signal?: AbortSignal } = {},
  ): AsyncGenerator<CallView> {
    let before = options.before;
    for (;;) {
      const page = await this.listCalls(
        { limit: options.pageSize ?? 20, ...(before ? { before } : {}) },
        options.signal ? { signal: options.signal } : {},
      );
      yield* page.calls;
      if (!page.has_more || !page.next_before || page.next_before === before) return;
      before = page.next_before;
    }
  }

  /** GET /me/calls: calls finalized since a time (inclusive), newest first, with each recording's window. */
  history(query: Partial<HistoryQuery> = {}, ctx: RequestContext = {}): Promise<History> {
    return this.transport.request("/me/calls", {
      query: { since: query.since, limit: query.limit, direction: query.direction },
      schema: HistorySchema,
      signal: ctx.signal,
    });
  }

  /** The defaults used for calls that leave out voice, personality or greeting. */
  preferences(ctx: RequestContext = {}): Promise<CallPreferences> {
    return this.transport.request("/me/call-preferences", {
      schema: CallPreferencesSchema,
      signal: ctx.signal,
    });
  }

  /** Replaces the whole set of preferences: fields left out are cleared. */
  setPreferences(preferences: CallPreferencesInput, ctx: RequestContext = {}): Promise<CallPreferences> {
    return this.transport.request("/me/call-preferences", {
      method: "PUT",
      body: preferences,
      schema: CallPreferencesSchema,
      signal: ctx.signal,
    });
  }

  clearPreferences(ctx: RequestContext = {}): Promise<CallPreferences> {
    return this.transport.request("/me/call-preferences", {
      method: "DELETE",
      schema: CallPreferencesSchema,
      signal: ctx.signal,
    });
  }

  /** The account's own phone, the hand-off target of `loop_in_user` (null phone when it has none). */
  accountPhone(ctx: RequestContext = {}): Promise<AccountPhoneView> {
    return this.transport.request("/me/phone", { schema: AccountPhoneViewSchema, signal: ctx.signal });
  }

  /**
   * Starts verifying the account's phone: the service calls it, and the user types the returned `code` on
   * its keypad when asked. `accountPhone()` shows how it went.
   */
  verifyAccountPhone(phone: string, ctx: RequestContext = {}): Promise<PhoneVerificationStarted> {
    return this.transport.request("/me/phone", {
      method: "POST",
      body: { phone },
      schema: PhoneVerificationStartedSchema,
      signal: ctx.signal,
    });
  }

  removeAccountPhone(ctx: RequestContext = {}): Promise<AccountPhoneView> {
    return this.transport.request("/me/phone", {
      method: "DELETE",
      schema: AccountPhoneViewSchema,
      signal: ctx.signal,
    });
  }

  balance(ctx: RequestContext = {}): Promise<Balance> {
    return this.transport.request("/balance", { schema: BalanceSchema, signal: ctx.signal });
  }

  /** The account a key is linked to; throws auth_required for a key not linked to an account. */
  me(ctx: RequestContext = {}): Promise<Me> {
    return this.transport.request("/me", { schema: MeSchema, signal: ctx.signal });
  }

  /** The signed, expiring recording URL, or null when there is none (yet, or any more). */
  async recordingLink(callId: string, ctx: RequestContext = {}): Promise<string | null> {
    try {
      const response = await this.transport.request(`/call/${encodeURIComponent(callId)}/recording`, {
        raw: true,
        redirect: "manual",
        signal: ctx.signal,
      });
      await response.body?.cancel();
      const location = response.headers.get("location");
      return location ? new URL(location, this.baseUrl).toString() : null;
    } catch (e) {
      if (e instanceof ClawCallError && e.code === "recording_not_available") return null;
      throw e;
    }
  }

  /** Sign-up and sign-in pages that link the key in use to an account (an account's keys share one balance). */
  async accountLinks(): Promise<AccountLinks> {
    const current = await this.apiKey();
    if (!current) {
      throw new ClawCallError({
        code: "no_api_key",
        message: "No ClawCall API key yet: place a call first (it mints one), or set CLAWCALL_API_KEY.",
      });
    }
    const token = encodeURIComponent(current.key);
    return {
      sign_up_url: `${this.baseUrl}/signup?token=${token}`,
      sign_in_url: `${this.baseUrl}/signin?token=${token}`,
    };
  }

  /** The call's status changes and transcript lines as they happen (GET /call/{id}/events). */
  async *events(callId: string, ctx: RequestContext = {}): AsyncGenerator<CallEvent> {
    const response = await this.transport.request(`/call/${encodeURIComponent(callId)}/events`, {
      raw: true,
      accept: "text/event-stream",
      timeoutMs: 0,
      signal: ctx.signal,
    });
    if (!response.body) return;
    try {
      for await (const message of parseSse(response.body)) {
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          continue;
        }
        const parsed = CallEventSchema.safeParse(data);
        if (parsed.success) yield parsed.data;
      }
    } finally {
      await response.body.cancel().catch(() => {});
    }
  }

  /** Waits until the call is completed or failed, polling every 3 s or following the event stream. */
  waitForCall(callId: string, options: WaitOptions = {}): Promise<CallView> {
    return waitForCall(this, callId, options);
  }

  /**
   * Places a call and waits for its end. A call that fails with dial_failed or network_error is placed
   * once more, silently (the skill's rule); no_answer, busy and call_rejected are never retried.
   */
  callAndWait(request: CallRequest, options: CallAndWaitOptions = {}): Promise<CallAndWaitResult> {
    return callAndWait(this, request, options);
  }
}
