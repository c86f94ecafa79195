import type { Db } from "../store/database.ts";
import type { OAuthClientTable, OAuthCodeTable, OAuthGrantTable, OAuthTokenTable } from "../store/schema.ts";

export type OAuthClient = Omit<OAuthClientTable, "redirect_uris"> & { redirect_uris: string[] };

/** The only SQL on the oauth_* tables. Codes and tokens are looked up by their SHA-256 alone. */
export class OAuthStore {
  constructor(private readonly db: Db) {}

  async insertClient(client: OAuthClient): Promise<void> {
    await this.db
      .insertInto("oauth_clients")
      .values({ ...client, redirect_uris: JSON.stringify(client.redirect_uris) })
      .execute();
  }

  async client(clientId: string): Promise<OAuthClient | null> {
    if (clientId.length > 100) return null;
    const row = await this.db
      .selectFrom("oauth_clients")
      .selectAll()
      .where("client_id", "=", clientId)
      .executeTakeFirst();
    return row ? { ...row, redirect_uris: JSON.parse(row.redirect_uris) as string[] } : null;
  }

  async insertCode(code: OAuthCodeTable): Promise<void> {
    await this.db.insertInto("oauth_codes").values(code).execute();
  }

  /**
   * Spends the code: whoever marks it first is the only one who gets it. A code already spent comes back
   * as `reused`, with the grant its first use made (kept until the code's row expires).
   */
  async spendCode(
    codeHash: string,
    now: Date,
  ): Promise<{ code: OAuthCodeTable } | { reused: string | null } | null> {
    const row = await this.db
      .updateTable("oauth_codes")
      .set({ used_at: now.toISOString() })
      .where("code_hash", "=", codeHash)
      .where("used_at", "is", null)
      .returningAll()
      .executeTakeFirst();
    if (row) return { code: row };
    const spent = await this.db
      .selectFrom("oauth_codes")
      .select("grant_id")
      .where("code_hash", "=", codeHash)
      .executeTakeFirst();
    return spent ? { reused: spent.grant_id } : null;
  }

  async noteCodeGrant(codeHash: string, grantId: string): Promise<void> {
    await this.db
      .updateTable("oauth_codes")
      .set({ grant_id: grantId })
      .where("code_hash", "=", codeHash)
      .execute();
  }

  async insertGrant(grant: OAuthGrantTable): Promise<void> {
    await this.db.insertInto("oauth_grants").values(grant).execute();
  }

  async grant(id: string): Promise<OAuthGrantTable | null> {
    return (
      (await this.db.selectFrom("oauth_grants").selectAll().where("id", "=", id).executeTakeFirst()) ?? null
    );
  }

  /** The ids of the keys the account's grants were given, revoked grants' too. */
  async grantKeyIds(accountId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("oauth_grants")
      .select("key_id")
      .where("account_id", "=", accountId)
      .execute();
    return rows.map((r) => r.key_id);
  }

  /** Ends a grant: its tokens are deleted and it is marked revoked (its key is the caller's to revoke). */
  async revokeGrant(id: string, now: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("oauth_tokens").where("grant_id", "=", id).execute();
      await tx
        .updateTable("oauth_grants")
        .set({ revoked_at: now.toISOString() })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .execute();
    });
  }

  async insertTokens(tokens: OAuthTokenTable[]): Promise<void> {
    await this.db.insertInto("oauth_tokens").values(tokens).execute();
  }

  async token(tokenHash: string): Promise<OAuthTokenTable | null> {
    return (
      (await this.db
        .selectFrom("oauth_tokens")
        .selectAll()
        .where("token_hash", "=", tokenHash)
        .executeTakeFirst()) ?? null
    );
  }

  /** Removes and returns a refresh token, so a refresh happens once per token (rotation). */
  async takeRefreshToken(tokenHash: string): Promise<OAuthTokenTable | null> {
    const row = await this.db
      .deleteFrom("oauth_tokens")
      .where("token_hash", "=", tokenHash)
      .where("kind", "=", "refresh")
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /** Drops the grant's access tokens (a refresh replaces them). */
  async dropAccessTokens(grantId: string): Promise<void> {
    await this.db
      .deleteFrom("oauth_tokens")
      .where("grant_id", "=", grantId)
      .where("kind", "=", "access")
      .execute();
  }

  /** Deletes codes and tokens past their time; nothing can use them any more. */
  async sweep(now: Date): Promise<void> {
    const t = now.toISOString();
    await this.db.deleteFrom("oauth_codes").where("expires_at", "<=", t).execute();
    await this.db.deleteFrom("oauth_tokens").where("expires_at", "<=", t).execute();
  }
}
