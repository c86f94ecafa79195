import { sql, type Transaction } from "kysely";
import type { Db } from "../store/database.ts";
import type { Database, LedgerTable } from "../store/schema.ts";

type Executor = Db | Transaction<Database>;
export type LedgerKind = LedgerTable["kind"];

/**
 * The append-only ledger of talk seconds. A balance is the sum of a wallet's rows. Call debits carry the
 * call id and are unique per call, so settling a call twice (a retry, the reaper racing a webhook, a
 * restart) never charges twice.
 */
export class Ledger {
  constructor(private readonly db: Db) {}

  async balance(wallet: string, tx: Executor = this.db): Promise<number> {
    const row = await tx
      .selectFrom("ledger")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("delta_seconds"), eb.lit(0)).as("total"))
      .where("wallet", "=", wallet)
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  /** Whether the wallet was ever credited with one of these kinds (the tier asks about bought time). */
  async hasCredit(wallet: string, kinds: readonly LedgerKind[]): Promise<boolean> {
    const row = await this.db
      .selectFrom("ledger")
      .select("id")
      .where("wallet", "=", wallet)
      .where("kind", "in", kinds)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Sums by kind, for the quota object (used vs limit). */
  async totals(wallet: string): Promise<{ credits: number; debits: number }> {
    const rows = await this.db
      .selectFrom("ledger")
      .select(["delta_seconds"])
      .where("wallet", "=", wallet)
      .execute();
    let credits = 0;
    let debits = 0;
    for (const r of rows) {
      if (r.delta_seconds >= 0) credits += r.delta_seconds;
      else debits -= r.delta_seconds;
    }
    return { credits, debits };
  }

  /**
   * Seconds debited for calls per UTC day since `since` (an ISO time), oldest first; days without calls
   * are absent. ISO strings start with their date, so the day is the first ten characters on both databases.
   */
  async dailyCallSeconds(wallet: string, since: string): Promise<{ day: string; seconds: number }[]> {
    const day = sql<string>`substr(created_at, 1, 10)`;
    const rows = await this.db
      .selectFrom("ledger")
      .select((eb) => [day.as("day"), eb.fn.sum<number>("delta_seconds").as("total")])
      .where("wallet", "=", wallet)
      .where("kind", "=", "call")
      .where("created_at", ">=", since)
      .groupBy(day)
      .orderBy(day)
      .execute();
    return rows.map((r) => ({ day: r.day, seconds: -Number(r.total) }));
  }

  async append(
    entry: { wallet: string; delta: number; kind: LedgerKind; callId?: string; note?: string },
    now: Date,
    tx: Executor = this.db,
  ): Promise<void> {
    await tx
      .insertInto("ledger")
      .values({
        wallet: entry.wallet,
        delta_seconds: entry.delta,
        kind: entry.kind,
        call_id: entry.callId ?? null,
        note: entry.note ?? null,
        created_at: now.toISOString(),
      })
      .execute();
  }

  /** Debits a call's talk time once; a second attempt for the same call is a no-op. */
  async debitCall(
    wallet: string,
    callId: string,
    seconds: number,
    now: Date,
    tx: Executor,
  ): Promise<boolean> {
    if (seconds <= 0) return false;
    const result = await tx
      .insertInto("ledger")
      .values({
        wallet,
        delta_seconds: -seconds,
        kind: "call",
        call_id: callId,
        note: null,
        created_at: now.toISOString(),
      })
      .onConflict((oc) => oc.columns(["call_id", "kind"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
