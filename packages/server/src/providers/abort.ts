/** One shape for cancellation across adapters, so callers and fallbacks need not know each SDK's abort error. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException("The operation was aborted", "AbortError");
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/** Rejects with the abort error as soon as `signal` aborts; otherwise settles like `promise`. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * How a provider failed, for logs and metrics: an HTTP error answer, no response headers in time, the
 * connection failing, a stream that stopped before its end, or no first output in time.
 */
export type ProviderFailureKind =
  | "http_error"
  | "slow_headers"
  | "connection_error"
  | "stream_cut"
  | "no_first_token";

/** A provider failure in words safe for logs: status and vendor message only, never request content. */
export class ProviderError extends Error {
  readonly provider: string;
  readonly status: number | undefined;
  readonly kind: ProviderFailureKind;
  constructor(
    provider: string,
    message: string,
    options?: { status?: number; cause?: unknown; kind?: ProviderFailureKind },
  ) {
    super(`${provider}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ProviderError";
    this.provider = provider;
    this.status = options?.status;
    this.kind = options?.kind ?? (options?.status === undefined ? "connection_error" : "http_error");
  }
}

/**
 * A phone turn cannot wait the SDKs' default 10 minutes (or 15 s plus a backoff) for a reply to start:
 * the response headers must come within this, and the agent's own deadlines retry or fall back.
 */
export const PHONE_TURN_HEADERS_TIMEOUT_MS = 5000;

/** Only the host of a base URL: enough to tell endpoints apart in logs, never credentials in it. */
export function describeHost(baseUrl: string | undefined, fallback: string): string {
  if (!baseUrl) return fallback;
  try {
    return new URL(baseUrl).host || fallback;
  } catch {
    return "custom endpoint";
  }
}
