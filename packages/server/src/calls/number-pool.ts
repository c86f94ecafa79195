import type { Db } from "../store/database.ts";
import { isTerminal } from "./states.ts";

/**
 * A lease is written just before its call's row. One still without a row after this long was left by a
 * node that died in between, so it no longer holds its number.
 */
const UNWRITTEN_CALL_GRACE_MS = 60_000;

interface Lease {
  callId: string;
  held: boolean;
}

/**
 * Outbound caller numbers, shared by every node on the database. Each call holds one number from dial to
 * hang-up, and a live handoff holds a second one while its leg rings and talks, so the pool's size is also
 * the channel limit of the whole cluster (Telnyx accounts start with a low one). A held number is a row of
 * `caller_number_leases`: its primary key is what keeps two legs, on any nodes, from holding one number.
 */
export class NumberPool {
  private readonly all: ReadonlySet<string>;
  private readonly numbers: readonly string[];

  /**
   * `lines` caps how many numbers are ever leased at once (the carrier's channel limit); every configured
   * number is still this service's own, and never dialled.
   */
  constructor(
    private readonly db: Db,
    configured: readonly string[],
    lines = configured.length,
  ) {
    this.all = new Set(configured);
    this.numbers = configured.slice(0, lines);
  }

  /** Whether the number is one of the configured caller numbers, leased or not. Configuration only: no query. */
  has(number: string): boolean {
    return this.all.has(number);
  }

  /** Leases the first free number to the call, or returns null when every number is held. */
  async acquire(callId: string, now = new Date()): Promise<string | null> {
    const leases = await this.leases(now);
    for (const number of this.numbers) {
      const lease = leases.get(number);
      if (lease?.held) continue;
      // A stale lease is removed only if it still names the same call, then the number is claimed as usual.
      if (lease) await this.release(number, lease.callId);
      // Another node (or request) may claim the same number in between: the insert then does nothing.
      const claimed = await this.db
        .insertInto("caller_number_leases")
        .values({ number, call_id: callId, leased_at: now.toISOString() })
        .onConflict((oc) => oc.column("number").doNothing())
        .returning("number")
        .executeTakeFirst();
      if (claimed) return number;
    }
    return null;
  }

  /** Frees the number if this call still holds it; a late release never frees it from a later call. */
  async release(number: string, callId: string): Promise<void> {
    await this.db
      .deleteFrom("caller_number_leases")
      .where("number", "=", number)
      .where("call_id", "=", callId)
      .execute();
  }

  /**
   * Frees every number the call holds (its own, and its handoff's). `db` lets settlement do it inside the
   * transaction that ends the call.
   */
  async releaseCall(callId: string, db: Db = this.db): Promise<void> {
    await db.deleteFrom("caller_number_leases").where("call_id", "=", callId).execute();
  }

  /** How many configured numbers are free now. */
  async available(now = new Date()): Promise<number> {
    const leases = await this.leases(now);
    return this.numbers.filter((n) => !leases.get(n)?.held).length;
  }

  /**
   * Every lease, and whether it still holds its number: a lease of a call already ended holds nothing, so
   * a crash between a call's end and its release cannot shrink the pool.
   */
  private async leases(now: Date): Promise<Map<string, Lease>> {
    const rows = await this.db
      .selectFrom("caller_number_leases")
      .leftJoin("calls", "calls.id", "caller_number_leases.call_id")
      .select([
        "caller_number_leases.number",
        "caller_number_leases.call_id",
        "caller_number_leases.leased_at",
        "calls.state",
      ])
      .execute();
    const leases = new Map<string, Lease>();
    for (const r of rows) {
      const unwrittenTooLong =
        r.state === null && now.getTime() - Date.parse(r.leased_at) > UNWRITTEN_CALL_GRACE_MS;
      leases.set(r.number, {
        callId: r.call_id,
        held: (r.state === null || !isTerminal(r.state)) && !unwrittenTooLong,
      });
    }
    return leases;
  }
}

/** The sandbox's own caller numbers: +1 202 555 0200 onward, outside the magic-number range. */
export function sandboxCallerNumbers(count: number): string[] {
  const n = Math.min(count, 9800);
  return Array.from({ length: n }, (_, i) => `+1202555${String(200 + i).padStart(4, "0")}`);
}
