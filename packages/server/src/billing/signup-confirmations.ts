import { createHash, randomBytes } from "node:crypto";
import type { Transaction } from "kysely";
import type { Db } from "../store/database.ts";
import type { Database, SignupConfirmationTable } from "../store/schema.ts";

export type PendingSignup = SignupConfirmationTable;
type Executor = Db | Transaction<Database>;

/** How long a mailed sign-up link works. */
export const SIGNUP_LINK_HOURS = 24;

/** 32 random bytes: like API keys, a plain SHA-256 at rest is enough (there is no dictionary to try). */
const hashCode = (code: string) => createHash("sha256").update(code).digest("hex");

/** Sign-ups waiting for their mailed link: the only SQL on the signup_confirmations table. */
export class SignupConfirmations {
  constructor(private readonly db: Db) {}

  /** Stores a sign-up and returns its link's code, which is itself never stored. */
  async create(
    pending: { email: string; passwordHash: string; keyId: string | null },
    now: Date,
  ): Promise<string> {
    // Expired sign-ups are of no use to anyone: each new one clears them.
    await this.db.deleteFrom("signup_confirmations").where("expires_at", "<=", now.toISOString()).execute();
    const code = randomBytes(32).toString("base64url");
    await this.db
      .insertInto("signup_confirmations")
      .values({
        code_hash: hashCode(code),
        email: pending.email,
        password_hash: pending.passwordHash,
        key_id: pending.keyId,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + SIGNUP_LINK_HOURS * 3_600_000).toISOString(),
      })
      .execute();
    return code;
  }

  /** The sign-up a link's code stands for, while the link works. */
  async find(code: string, now: Date): Promise<PendingSignup | undefined> {
    if (code.length === 0 || code.length > 100) return undefined;
    return this.db
      .selectFrom("signup_confirmations")
      .selectAll()
      .where("code_hash", "=", hashCode(code))
      .where("expires_at", ">", now.toISOString())
      .executeTakeFirst();
  }

  /**
   * Uses up a code, and with it every other sign-up waiting for the same address (the address now has
   * its account). False when the code was already used: of two confirmations at once, one wins.
   */
  async consume(code: string, email: string, tx: Executor = this.db): Promise<boolean> {
    const used = await tx
      .deleteFrom("signup_confirmations")
      .where("code_hash", "=", hashCode(code))
      .executeTakeFirst();
    await tx.deleteFrom("signup_confirmations").where("email", "=", email).execute();
    return Number(used.numDeletedRows) === 1;
  }
}
