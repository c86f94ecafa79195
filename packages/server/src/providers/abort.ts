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

/** A provider failure in words safe for logs: status and vendor message only, never request content. */
export class ProviderError extends Error {
  readonly provider: string;
  readonly status: number | undefined;
  constructor(provider: string, message: string, options?: { status?: number; cause?: unknown }) {
    super(`${provider}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ProviderError";
    this.provider = provider;
    this.status = options?.status;
  }
}

/** Only the host of a base URL: enough to tell endpoints apart in logs, never credentials in it. */
export function describeHost(baseUrl: string | undefined, fallback: string): string {
  if (!baseUrl) return fallback;
  try {
    return new URL(baseUrl).host || fallback;
  } catch {
    return "custom endpoint";
  }
}
