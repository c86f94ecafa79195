import { type ErrorAction, type ErrorCode, type Quota, SILENTLY_RETRYABLE_CODES } from "@clawcall/contract";

/** Codes the SDK raises itself, when no API error body could be read. */
export type ClientErrorCode = "connection_error" | "request_timeout" | "invalid_response" | "no_api_key";
export type ClawCallErrorCode = ErrorCode | ClientErrorCode;

/**
 * Codes worth trying again later without changing the request. Broader than the skill's silent-retry
 * set: a caller may retry these after a pause, but the SDK only retries the skill's set on its own.
 */
const RETRYABLE: ReadonlySet<ClawCallErrorCode> = new Set<ClawCallErrorCode>([
  ...SILENTLY_RETRYABLE_CODES,
  "rate_limited",
  "too_many_active_calls",
  "service_unavailable",
  "internal_error",
  "connection_error",
  "request_timeout",
]);

export interface ClawCallErrorInit {
  code: ClawCallErrorCode;
  message: string;
  status?: number | null;
  action?: ErrorAction | undefined;
  quota?: Quota | undefined;
  retryAfterSeconds?: number | null;
  keyForgotten?: boolean;
  cause?: unknown;
}

export class ClawCallError extends Error {
  override readonly name = "ClawCallError";
  readonly code: ClawCallErrorCode;
  /** HTTP status, or null when no response arrived. */
  readonly status: number | null;
  /** What the user can do about it (sign up, buy time): send `action.url` verbatim. */
  readonly action: ErrorAction | undefined;
  readonly quota: Quota | undefined;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | null;
  /** True when this error made the SDK delete the saved key file. */
  readonly keyForgotten: boolean;

  constructor(init: ClawCallErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status ?? null;
    this.action = init.action;
    this.quota = init.quota;
    this.retryable = RETRYABLE.has(init.code);
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
    this.keyForgotten = init.keyForgotten ?? false;
  }

  /** Plain data for --json output and MCP results; never includes the key. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      status: this.status,
      retryable: this.retryable,
      ...(this.action ? { action: this.action } : {}),
      ...(this.quota ? { quota: this.quota } : {}),
      ...(this.retryAfterSeconds !== null ? { retry_after_seconds: this.retryAfterSeconds } : {}),
      ...(this.keyForgotten ? { key_forgotten: true } : {}),
    };
  }
}

export const isClawCallError = (e: unknown): e is ClawCallError => e instanceof ClawCallError;
