import crypto, { createHash, randomBytes, randomUUID } from "node:crypto";
import { API_KEY_PREFIX } from "@clawcall/contract";
import { type Db, otherWritersVersion } from "../store/database.ts";
import type { ApiKeyTable } from "../store/schema.ts";
import { KeyCache } from "./key-cache.ts";

export type ApiKeyRecord = ApiKeyTable;

/** 32 random bytes, url-safe: 256 bits, so a plain SHA-256 at rest is enough (no dictionary to try). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("base64url");
}

// Node's one-shot hash (20.12 and later) takes half the time of a Hash object; every request hashes its key.
const oneShot = typeof crypto.hash === "function" ? crypto.hash : null;

export function hashApiKey(key: string): string {
  return oneShot ? oneShot("sha256", key, "hex") : createHash("sha256").update(key).digest("hex");
}

export function walletOf(key: Pick<ApiKeyRecord, "id" | "account_id">): string {
  return key.account_id ? `account:${key.account_id}` : `key:${key.id}`;
}

export class KeyStore {
  private readonly cache = new KeyCache();
  /** Accounts of keys, once linked: a key's account never changes after, so these never go stale. */
  private readonly accounts = new Map<string, string>();
  /** Each record's `last_used_at` in milliseconds, as `touch` last saw it. */
  private readonly lastUsed = new WeakMap<ApiKeyRecord, number>();

  /**
   * Another process's writes to an SQLite file (the admin command revoking a key, or granting time) end
   * every cached key, and whatever else `onWritesElsewhere` forgets (the balances billing keeps).
   */
  private readonly writesElsewhere: (() => number) | null;
  private seenWrites = 0;

  constructor(
    private readonly db: Db,
    private readonly onWritesElsewhere: () => void = () => {},
  ) {
    this.writesElsewhere = otherWritersVersion(db);
    this.seenWrites = this.writesElsewhere?.() ?? 0;
  }

  /** Looks for other processes' writes; every lookup of a key starts here, so what follows sees them. */
  private noticeWritesElsewhere(): void {
    const writes = this.writesElsewhere?.();
    if (writes === undefined || writes === this.seenWrites) return;
    this.seenWrites = writes;
    this.cache.clear();
    this.onWritesElsewhere();
  }

  /** Creates a key, on an account or on its own; the raw value is returned once and only its hash is stored. */
  async mint(now: Date, accountId: string | null = null): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = generateApiKey();
    const record: ApiKeyRecord = {
      id: randomUUID(),
      key_hash: hashApiKey(key),
      hint: key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + 6),
      account_id: accountId,
      created_at: now.toISOString(),
      revoked_at: null,
      last_used_at: null,
    };
    await this.db.insertInto("api_keys").values(record).execute();
    return { key, record };
  }

  /** The live record for a raw key, or null when unknown or revoked. */
  async find(key: string): Promise<ApiKeyRecord | null> {
    this.noticeWritesElsewhere();
    return this.lookUp(hashApiKey(key));
  }

  private async lookUp(hash: string): Promise<ApiKeyRecord | null> {
    const generation = this.cache.generation;
    const row = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("key_hash", "=", hash)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) return null;
    // A key revoked or linked here while this lookup was on its way is not put back.
    if (generation === this.cache.generation) this.cache.set(row);
    return row;
  }

  /**
   * As `find`, but a record found in the last few seconds is taken as it was (see `KeyCache`): for reads,
   * where a key revoked or linked on another node that moment may still read for that long.
   */
  async findRecent(key: string): Promise<ApiKeyRecord | null> {
    this.noticeWritesElsewhere();
    const hash = hashApiKey(key);
    return this.cache.get(hash) ?? this.lookUp(hash);
  }

  /** The account a key is linked to, or null. */
  async accountOf(keyId: string): Promise<string | null> {
    const known = this.accounts.get(keyId);
    if (known) return known;
    const accountId = (await this.byId(keyId))?.account_id ?? null;
    if (accountId) {
      if (this.accounts.size >= MAX_KNOWN_ACCOUNTS) this.accounts.clear();
      this.accounts.set(keyId, accountId);
    }
    return accountId;
  }

  /** Drops what this node holds about a key whose record just changed. */
  forget(keyId: string): void {
    this.cache.drop(keyId);
  }

  async byId(id: string): Promise<ApiKeyRecord | null> {
    return (await this.db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
  }

  async revoke(id: string, now: Date): Promise<void> {
    await this.db
      .updateTable("api_keys")
      .set({ revoked_at: now.toISOString() })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .execute();
    this.forget(id);
  }

  /** Notes that the key was used; at most one write a minute per key. */
  async touch(key: ApiKeyRecord, now: Date): Promise<void> {
    // Asked on every request: the record's time is parsed once, not each time.
    let last = this.lastUsed.get(key);
    if (last === undefined && key.last_used_at) {
      last = Date.parse(key.last_used_at);
      this.lastUsed.set(key, last);
    }
    if (last !== undefined && now.getTime() - last < TOUCH_EVERY_MS) return;
    this.lastUsed.set(key, now.getTime());
    key.last_used_at = now.toISOString();
    await this.db
      .updateTable("api_keys")
      .set({ last_used_at: key.last_used_at })
      .where("id", "=", key.id)
      .execute();
  }

  /** The account's keys, revoked ones included, newest first, with how many calls each placed. */
  async ofAccount(accountId: string): Promise<AccountKey[]> {
    const rows = await this.db
      .selectFrom("api_keys")
      .leftJoin("calls", "calls.key_id", "api_keys.id")
      .select((eb) => [
        "api_keys.id",
        "api_keys.hint",
        "api_keys.created_at",
        "api_keys.last_used_at",
        "api_keys.revoked_at",
        eb.fn.count<number>("calls.id").as("calls"),
      ])
      .where("api_keys.account_id", "=", accountId)
      .groupBy([
        "api_keys.id",
        "api_keys.hint",
        "api_keys.created_at",
        "api_keys.last_used_at",
        "api_keys.revoked_at",
      ])
      .orderBy("api_keys.created_at", "desc")
      .execute();
    return rows.map((r) => ({ ...r, calls: Number(r.calls) }));
  }

  /** Revokes one of the account's keys, named by id or hint; null when the account has no such key. */
  async revokeForAccount(accountId: string, idOrHint: string, now: Date): Promise<AccountKey | null> {
    const key = (await this.ofAccount(accountId)).find((k) => k.id === idOrHint || k.hint === idOrHint);
    if (!key) return null;
    await this.revoke(key.id, now);
    return { ...key, revoked_at: key.revoked_at ?? now.toISOString() };
  }

  /** How many calls the key has placed, for the link page. */
  async callCount(keyId: string): Promise<number> {
    const row = await this.db
      .selectFrom("calls")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("key_id", "=", keyId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

const TOUCH_EVERY_MS = 60_000;
const MAX_KNOWN_ACCOUNTS = 10_000;

export interface AccountKey {
  id: string;
  hint: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  calls: number;
}
