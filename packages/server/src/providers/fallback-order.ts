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
