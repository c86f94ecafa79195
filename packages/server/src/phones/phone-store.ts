import type { AccountPhone, AccountPhoneStatus, PhoneVerificationError } from "@clawcall/contract";
import type { Db } from "../store/database.ts";
import type { AccountPhoneTable } from "../store/schema.ts";

/** A verification whose call never reported back (its node stopped) has failed once its code expired. */
const view = (row: AccountPhoneTable, now = new Date()): AccountPhone =>
  row.status === "calling" && row.code_expires_at !== null && Date.parse(row.code_expires_at) <= now.getTime()
    ? { phone: row.phone, status: "failed", verified_at: null, last_error: "expired" }
    : {
        phone: row.phone,
        status: row.status as AccountPhoneStatus,
        verified_at: row.verified_at,
        last_error: row.last_error as PhoneVerificationError | null,
      };

/** The only SQL on `account_phones`: one phone per account, and how its verification went. */
export class PhoneStore {
  constructor(private readonly db: Db) {}

  async get(accountId: string, now = new Date()): Promise<AccountPhone | null> {
    const row = await this.db
      .selectFrom("account_phones")
      .selectAll()
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    return row ? view(row, now) : null;
  }

  /** The account's phone, if a call proved it is theirs. */
  async verified(accountId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("account_phones")
      .select("phone")
      .where("account_id", "=", accountId)
      .where("status", "=", "verified")
      .executeTakeFirst();
    return row?.phone ?? null;
  }

  /** A new verification replaces whatever the account had: a phone being changed is not verified yet. */
  async startVerification(
    accountId: string,
    phone: string,
    codeHash: string,
    expiresAt: Date,
    now: Date,
  ): Promise<AccountPhone> {
    const values = {
      phone,
      status: "calling",
      code_hash: codeHash,
      code_expires_at: expiresAt.toISOString(),
      verified_at: null,
      last_error: null,
      updated_at: now.toISOString(),
    };
    await this.db
      .insertInto("account_phones")
      .values({ account_id: accountId, ...values })
      .onConflict((oc) => oc.column("account_id").doUpdateSet(values))
      .execute();
    return view({ account_id: accountId, ...values }, now);
  }

  /**
   * Settles the verification the code was made for. Conditional on the code: a later verification (or a
   * removal) made this one moot, and its late result changes nothing. The code is dropped either way.
   */
  async settle(
    accountId: string,
    codeHash: string,
    outcome: { verified: true } | { verified: false; error: PhoneVerificationError },
    now: Date,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable("account_phones")
      .set({
        status: outcome.verified ? "verified" : "failed",
        verified_at: outcome.verified ? now.toISOString() : null,
        last_error: outcome.verified ? null : outcome.error,
        code_hash: null,
        code_expires_at: null,
        updated_at: now.toISOString(),
      })
      .where("account_id", "=", accountId)
      .where("code_hash", "=", codeHash)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async remove(accountId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("account_phones")
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
