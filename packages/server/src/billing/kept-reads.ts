const MAX_KEPT = 10_000;

interface Kept<T> {
  value: T;
  /** The process's count of writing statements when it was read. */
  writes: number;
}

/**
 * Values read from an SQLite file by a key (a wallet's balance, whether it bought time), for what every
 * keyed response shows. One is used only while this process has run no writing statement since it was
 * read (any of them may change it, or end the transaction that makes a change visible), and all are
 * forgotten when another process wrote to the file (the key store notices that as each request's key is
 * looked up). So what is shown is what the file holds, without a read per request. At most `MAX_KEPT`,
 * the oldest read dropped first.
 */
export class KeptReads<T> {
  private readonly byKey = new Map<string, Kept<T>>();

  constructor(private readonly writes: () => number) {}

  /** The kept value if nothing was written since, else `read`'s, kept in turn. */
  get(key: string, read: () => Promise<T>): Promise<T> {
    const kept = this.byKey.get(key);
    if (kept && kept.writes === this.writes()) return Promise.resolve(kept.value);
    return this.keep(key, read);
  }

  clear(): void {
    this.byKey.clear();
  }

  /** Stamped with the count before `read` ran: a write while it runs voids what it read. */
  private async keep(key: string, read: () => Promise<T>): Promise<T> {
    const writes = this.writes();
    const value = await read();
    this.byKey.delete(key);
    if (this.byKey.size >= MAX_KEPT) {
      const oldest = this.byKey.keys().next();
      if (!oldest.done) this.byKey.delete(oldest.value);
    }
    this.byKey.set(key, { value, writes });
    return value;
  }
}
