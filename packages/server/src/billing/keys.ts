import { createHash, randomBytes, randomUUID } from "node:crypto";
import { API_KEY_PREFIX } from "@clawcall/contract";
import type { Db } from "../store/database.ts";
import type { ApiKeyTable } from "../store/schema.ts";

export type ApiKeyRecord = ApiKeyTable;

/** 32 random bytes, url-safe: 256 bits, so a plain SHA-256 at rest is enough (no dictionary to try). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("base64url");
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function walletOf(key: Pick<ApiKeyRecord, "id" | "account_id">): string {
  return key.account_id ? `account:${key.account_id}` : `key:${key.id}`;
}

export class KeyStore {
  constructor(private readonly db: Db) {}

  /** Creates a key; the raw value is returned once and only its hash is stored. */
  async mint(now: Date): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = generateApiKey();
    const record: ApiKeyRecord = {
      id: randomUUID(),
      key_hash: hashApiKey(key),
      hint: key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + 6),
      account_id: null,
      created_at: now.toISOString(),
      revoked_at: null,
    };
    await this.db.insertInto("api_keys").values(record).execute();
    return { key, record };
  }

  /** The live record for a raw key, or null when unknown or revoked. */
  async find(key: string): Promise<ApiKeyRecord | null> {
    const row = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("key_hash", "=", hashApiKey(key))
      .executeTakeFirst();
    return row && row.revoked_at === null ? row : null;
  }

  async byId(id: string): Promise<ApiKeyRecord | null> {
    return (await this.db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
  }

  async revoke(id: string, now: Date): Promise<void> {
    await this.db
      .updateTable("api_keys")
      .set({ revoked_at: now.toISOString() })
      .where("id", "=", id)
      .execute();
  }
}
