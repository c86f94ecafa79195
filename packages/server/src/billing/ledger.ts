import { sql, type Transaction } from "kysely";
import { CompiledRead } from "../store/compiled-read.ts";
import { type Db, ownWritesCount } from "../store/database.ts";
import type { Database, LedgerTable } from "../store/schema.ts";
import { KeptReads } from "./kept-reads.ts";

type Executor = Db | Transaction<Database>;
export type LedgerKind = LedgerTable["kind"];

/** Credits that make an account `paid`: bought time, or time the operator granted by hand. */
export const PAID_CREDITS: readonly LedgerKind[] = ["purchase", "grant"];

/**
 * The append-only ledger of talk seconds. A balance is the sum of a wallet's rows; each row also moves the
 * wallet's kept balance in the same transaction, and reads take that one. Call debits carry the
 * call id and are unique per call, so settling a call twice (a retry, the reaper racing a webhook, a
 * restart) never charges twice.
 */
export class Ledger {
  /** On SQLite, what responses show as last read (see `KeptReads`); null on PostgreSQL, where other nodes write. */
  private readonly shown: { balances: KeptReads<number>; paid: KeptReads<boolean> } | null;

  constructor(private readonly db: Db) {
    const writes = ownWritesCount(db);
    this.shown = writes ? { balances: new KeptReads(writes), paid: new KeptReads(writes) } : null;
  }

  /**
   * The balance a keyed response shows, read after its key was looked up (which notices other processes'
   * writes and calls `forgetShown`): on SQLite from memory while nothing was written since it was read.
   * What decides (admission, settlement, the meter) reads `balance`.
   */
  balanceToShow(wallet: string): Promise<number> {
    const read = () => this.balance(wallet);
    return this.shown ? this.shown.balances.get(wallet, read) : read();
  }

  /** As `balanceToShow`, whether the wallet was ever credited with one of `PAID_CREDITS` (its tier). */
  paidToShow(wallet: string): Promise<boolean> {
    const read = () => this.hasCredit(wallet, PAID_CREDITS);
    return this.shown ? this.shown.paid.get(wallet, read) : read();
  }

  /** Another process wrote to the SQLite file: nothing kept may be what it holds now. */
  forgetShown(): void {
    this.shown?.balances.clear();
    this.shown?.paid.clear();
  }

  /**
   * The wallet's kept balance: one primary-key read (see `wallet_balances`). Outside a transaction, on
   * SQLite, read at once from what is committed (every request reads a balance).
   */
  async balance(wallet: string, tx: Executor = this.db): Promise<number> {
    const rows = await this.balanceRead.rows(this.db, tx, [wallet]);
    return Number(rows[0]?.balance_seconds ?? 0);
  }

  /** Every request reads a balance: the read is compiled once. */
  private readonly balanceRead = new CompiledRead((on) =>
    on.selectFrom("wallet_balances").select("balance_seconds").where("wallet", "=", ""),
  );

  /** The balance summed from the ledger itself, which the kept balance must always equal. */
  async summedBalance(wallet: string, tx: Executor = this.db): Promise<number> {
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
    await inTransaction(tx, async (t) => {
      await t
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
      await moveBalance(t, entry.wallet, entry.delta);
    });
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
    return inTransaction(tx, async (t) => {
      const result = await t
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
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await moveBalance(t, wallet, -seconds);
      return true;
    });
  }
}

/** Runs `work` in the caller's transaction, or in a new one: a ledger row never lands without its balance. */
function inTransaction<T>(tx: Executor, work: (t: Transaction<Database>) => Promise<T>): Promise<T> {
  if (tx.isTransaction) return work(tx as Transaction<Database>);
  return tx.transaction().execute(work);
}

/** Adds `delta` to the wallet's kept balance, creating it on the wallet's first row. */
async function moveBalance(tx: Transaction<Database>, wallet: string, delta: number): Promise<void> {
  await tx
    .insertInto("wallet_balances")
    .values({ wallet, balance_seconds: delta })
    .onConflict((oc) =>
      oc.column("wallet").doUpdateSet((eb) => ({
        balance_seconds: eb("wallet_balances.balance_seconds", "+", eb.ref("excluded.balance_seconds")),
      })),
    )
    .execute();
}
