import type { ApiKeyTable } from "../store/schema.ts";

/** How long another node's revocation or linking may go unseen here (see docs/decisions.md). */
export const KEY_CACHE_SECONDS = 2;
const MAX_KEYS = 10_000;

interface Entry {
  record: ApiKeyTable;
  until: number;
}

/**
 * Live key records by the hash of the key, for a short time: polling looks the same key up thousands of
 * times a second. Only keys found live are kept (an unknown key is looked up every time, so guessing
 * cannot fill the cache), at most `MAX_KEYS`, the least recently used dropped first. Revoking or linking
 * on this node drops the entry at once (and the admin command's writes to an SQLite file clear it all);
 * on another node it is seen when the entry runs out.
 */
export class KeyCache {
  private readonly byHash = new Map<string, Entry>();
  /** The hash last in the Map's order, if known. */
  private newest: string | undefined;
  /** Moves on every drop, so a lookup that started before one does not store what it read. */
  generation = 0;

  constructor(
    private readonly seconds = KEY_CACHE_SECONDS,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): ApiKeyTable | undefined {
    const entry = this.byHash.get(hash);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.byHash.delete(hash);
      return undefined;
    }
    // Moved to the end of the Map's order unless already there (a poller sends the same key again).
    if (this.newest !== hash) {
      this.byHash.delete(hash);
      this.byHash.set(hash, entry);
      this.newest = hash;
    }
    return entry.record;
  }

  set(record: ApiKeyTable): void {
    this.newest = record.key_hash;
    this.byHash.delete(record.key_hash);
    if (this.byHash.size >= MAX_KEYS) {
      const oldest = this.byHash.keys().next();
      if (!oldest.done) this.byHash.delete(oldest.value);
    }
    this.byHash.set(record.key_hash, { record, until: this.now() + this.seconds * 1000 });
  }

  clear(): void {
    this.generation++;
    this.byHash.clear();
  }

  /** Forgets a key by its id (revoked or linked here). */
  drop(keyId: string): void {
    this.generation++;
    for (const [hash, entry] of this.byHash) {
      if (entry.record.id === keyId) this.byHash.delete(hash);
    }
  }
}
