import type { Ledger } from "../billing/ledger.ts";
import type { Db } from "../store/database.ts";
import type { PaymentTable } from "../store/schema.ts";

export type Purchase = Omit<PaymentTable, "created_at">;

/**
 * Credits a paid checkout exactly once. The payment row (keyed by the session id) and the ledger's
 * `purchase` row are written in one transaction; a second delivery of the same payment, even one racing
 * the first, finds the row taken and writes nothing.
 */
export async function creditPurchaseOnce(
  db: Db,
  ledger: Ledger,
  purchase: Purchase,
  now: Date,
): Promise<"credited" | "duplicate"> {
  return db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto("payments")
      .values({ ...purchase, created_at: now.toISOString() })
      .onConflict((oc) => oc.column("session_id").doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return "duplicate";
    await ledger.append(
      {
        wallet: `account:${purchase.account_id}`,
        delta: purchase.seconds,
        kind: "purchase",
        note: `checkout ${purchase.session_id}`,
      },
      now,
      tx,
    );
    return "credited";
  });
}

/** The seconds a checkout session added, or null while its payment is not yet confirmed. */
export async function creditedSeconds(db: Db, sessionId: string): Promise<number | null> {
  const row = await db
    .selectFrom("payments")
    .select(["seconds"])
    .where("session_id", "=", sessionId)
    .executeTakeFirst();
  return row ? row.seconds : null;
}
