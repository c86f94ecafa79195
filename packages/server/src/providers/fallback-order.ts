import { abortError, ProviderError } from "./abort.ts";

/**
 * Which provider to try first. One that just failed goes to the back for a while, so every turn of a
 * call does not pay for the same failed attempt again.
 */
export class FallbackOrder<T> {
  private readonly failedAt = new Map<number, number>();

  constructor(
    private readonly items: readonly T[],
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (items.length === 0) throw new Error("a fallback needs at least one provider");
  }

  /** Indices in the order to try: healthy first in configured order, then those cooling down. */
  order(): number[] {
    const now = this.now();
    const all = this.items.map((_, i) => i);
    const cooling = (i: number) => now - (this.failedAt.get(i) ?? Number.NEGATIVE_INFINITY) < this.cooldownMs;
    return [...all.filter((i) => !cooling(i)), ...all.filter(cooling)];
  }

  item(index: number): T {
    return this.items[index]!;
  }

  failed(index: number): void {
    this.failedAt.set(index, this.now());
  }

  succeeded(index: number): void {
    this.failedAt.delete(index);
  }
}

export interface FallbackOptions {
  /** How long a failed provider stays behind the others (default 30 s). */
  cooldownMs?: number;
  /** Told when a provider failed before its first output and the next one is tried (no content). */
  onFallback?(failed: string, error: unknown): void;
}

/**
 * Streams from the first provider, in `order`, whose stream produces its first item. A provider that
 * fails before that goes behind the others and the next is tried; once output has started it is never
 * switched, since what was already played or spoken cannot be taken back.
 */
export async function* streamFromFirstThatStarts<P extends { name: string }, T>(
  order: FallbackOrder<P>,
  options: FallbackOptions,
  signal: AbortSignal,
  start: (provider: P) => AsyncIterable<T>,
): AsyncIterable<T> {
  let lastError: unknown;
  for (const index of order.order()) {
    if (signal.aborted) throw abortError(signal);
    const provider = order.item(index);
    const iterator = start(provider)[Symbol.asyncIterator]();
    let first: IteratorResult<T>;
    try {
      first = await iterator.next();
    } catch (error) {
      if (signal.aborted) {
        // A caller that gave up on this provider for being too slow (its reason a ProviderError) wants
        // the next provider first when it asks again.
        if (signal.reason instanceof ProviderError) {
          order.failed(index);
          options.onFallback?.(provider.name, signal.reason);
        }
        throw abortError(signal);
      }
      order.failed(index);
      options.onFallback?.(provider.name, error);
      lastError = error;
      continue;
    }
    order.succeeded(index);
    if (first.done) return;
    try {
      yield first.value;
      while (true) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  throw lastError;
}
