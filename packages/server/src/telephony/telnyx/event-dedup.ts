/**
 * Remembers webhook event ids for a while so retried and duplicated deliveries change state once.
 * Bounded both ways: entries expire after `ttlMs`, and past `maxEntries` the oldest are forgotten.
 * Telnyx retries within minutes, so a TTL of that order covers its redeliveries.
 */
export class EventDedup {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = 15 * 60_000,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time an id is offered (within the TTL), false for a repeat. */
  firstSeen(id: string): boolean {
    const t = this.now();
    this.evict(t);
    const at = this.seen.get(id);
    if (at !== undefined && t - at < this.ttlMs) return false;
    this.seen.delete(id);
    this.seen.set(id, t);
    if (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  // Map keeps insertion order, which is arrival order here: expired entries are always at the front.
  private evict(t: number): void {
    for (const [id, at] of this.seen) {
      if (t - at < this.ttlMs) break;
      this.seen.delete(id);
    }
  }
}
