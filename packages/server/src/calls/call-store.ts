import type { Handoff, Outcome } from "@clawcall/contract";
import type { Db } from "../store/database.ts";
import type { CallTable } from "../store/schema.ts";
import { type CallState, LIVE_STATES } from "./states.ts";

/** Whose calls a listing shows: every key of an account, or one key that has no account. */
export type CallOwner = { accountId: string } | { keyId: string };

/** What the supervisor needs to know about a call that has not ended. */
export type UnfinishedCall = Pick<
  CallTable,
  "id" | "state" | "queued_at" | "dialing_at" | "answered_at" | "last_seen_at" | "owner_node"
>;

/** The fields a call's final state writes, all at once. */
export type FinalFields = Pick<
  CallTable,
  "fail_reason" | "outcome" | "outcome_detail" | "talk_seconds" | "finalized_at" | "last_seen_at" | "result"
>;

/**
 * The calls table: the one module that speaks SQL about calls (the number pool only joins a lease to its
 * call's state, to read both at once). Every state change goes through a conditional update, so two
 * nodes (or a node and its reaper) never both move a call.
 */
/** What the dashboard's call list may be narrowed by; days are `YYYY-MM-DD` (UTC). */
export interface CallFilter {
  outcome?: Outcome | "running";
  number?: string;
  fromDay?: string;
  toDay?: string;
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();

export class CallStore {
  private readonly metaWrites = new Map<string, Promise<boolean>>();

  /** `db` may be a transaction, to settle a call together with its ledger and lines. */
  constructor(private readonly db: Db) {}

  get(id: string): Promise<CallTable | undefined> {
    return this.db.selectFrom("calls").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async insert(row: CallTable): Promise<void> {
    await this.db.insertInto("calls").values(row).execute();
  }

  /** Calls of this key that have not ended yet. */
  async countLive(keyId: string): Promise<number> {
    const found = await this.db
      .selectFrom("calls")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("key_id", "=", keyId)
      .where("state", "in", LIVE_STATES)
      .executeTakeFirst();
    return Number(found?.n ?? 0);
  }

  /** Free calls (of keys on no account) this client placed that nobody has answered yet. */
  async countFreeUnanswered(placedBy: string): Promise<number> {
    const found = await this.db
      .selectFrom("calls")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("placed_by", "=", placedBy)
      .where("state", "in", ["queued", "ringing"])
      .where("wallet", "like", "key:%")
      .executeTakeFirst();
    return Number(found?.n ?? 0);
  }

  /** Moves a call on from `from`, only if it is still there; false when someone else moved it first. */
  async transition(
    id: string,
    from: CallState,
    to: CallState,
    fields: Partial<CallTable>,
    now: Date,
  ): Promise<boolean> {
    const updated = await this.db
      .updateTable("calls")
      .set({ ...fields, state: to, last_seen_at: now.toISOString() })
      .where("id", "=", id)
      .where("state", "=", from)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /** Writes a call's final state, unless it already has one; false when it had. */
  async end(id: string, fields: FinalFields): Promise<boolean> {
    const updated = await this.db
      .updateTable("calls")
      .set({ ...fields, state: "ended" })
      .where("id", "=", id)
      .where("state", "in", LIVE_STATES)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  async setRecording(id: string, url: string, expiresAt: Date): Promise<void> {
    await this.db
      .updateTable("calls")
      .set({ recording_url: url, recording_expires_at: expiresAt.toISOString() })
      .where("id", "=", id)
      .execute();
  }

  /**
   * Records how the call's handoff goes (and the caller id its leg showed), only while the call is live:
   * a final call does not change.
   */
  async setHandoff(id: string, handoff: Handoff, bridgeFrom: string | null): Promise<void> {
    await this.db
      .updateTable("calls")
      .set({ handoff: JSON.stringify(handoff), bridge_from: bridgeFrom })
      .where("id", "=", id)
      .where("state", "in", LIVE_STATES)
      .execute();
  }

  /** Adds extension fields to the call's `_meta`; false when there is no such call or it is final. */
  mergeMeta(id: string, fields: Record<string, unknown>): Promise<boolean> {
    // One call's merges run one after another: the latency summary and the sandbox's report arrive
    // together at the end, and neither may overwrite the other.
    const previous = this.metaWrites.get(id) ?? Promise.resolve();
    const next = previous.then(async () => {
      const row = await this.get(id);
      // A final call's fields are settled: nothing is merged into it any more.
      if (!row || !LIVE_STATES.includes(row.state)) return false;
      const meta = { ...(row.meta ? JSON.parse(row.meta) : {}), ...fields };
      await this.db
        .updateTable("calls")
        .set({ meta: JSON.stringify(meta) })
        .where("id", "=", id)
        .execute();
      return true;
    });
    const settled = next.catch(() => false);
    this.metaWrites.set(id, settled);
    void settled.then(() => {
      if (this.metaWrites.get(id) === settled) this.metaWrites.delete(id);
    });
    return next;
  }

  /** Heartbeat: these calls' owner is alive. */
  async touch(ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable("calls")
      .set({ last_seen_at: now.toISOString() })
      .where("id", "in", ids)
      .where("state", "in", LIVE_STATES)
      .execute();
  }

  /** Calls that have not ended, of one node or (without `ownerNode`) of all. */
  unfinished(ownerNode?: string): Promise<UnfinishedCall[]> {
    let query = this.db
      .selectFrom("calls")
      .select(["id", "state", "queued_at", "dialing_at", "answered_at", "last_seen_at", "owner_node"])
      .where("state", "in", LIVE_STATES);
    if (ownerNode !== undefined) query = query.where("owner_node", "=", ownerNode);
    return query.execute();
  }

  /** One page of an owner's calls, newest first, after the `before` call when given. */
  list(owner: CallOwner, before: CallTable | null, limit: number): Promise<CallTable[]> {
    return this.search(owner, {}, before, limit);
  }

  /**
   * One page of the dashboard's list: an owner's calls, newest first, narrowed by outcome (`running` for
   * calls not final yet), by the number called, and by the UTC days they were placed on (inclusive).
   */
  search(
    owner: CallOwner,
    filter: CallFilter,
    before: CallTable | null,
    limit: number,
  ): Promise<CallTable[]> {
    let query = this.ownedBy(owner);
    if (filter.outcome === "running") query = query.where("calls.state", "in", LIVE_STATES);
    else if (filter.outcome) query = query.where("calls.outcome", "=", filter.outcome);
    if (filter.number) query = query.where("calls.to_number", "=", filter.number);
    if (filter.fromDay) query = query.where("calls.queued_at", ">=", `${filter.fromDay}T00:00:00.000Z`);
    // Every time of the day sorts before the next day's first instant.
    if (filter.toDay) query = query.where("calls.queued_at", "<", nextDay(filter.toDay));
    if (before) {
      query = query.where((eb) =>
        eb.or([
          eb("calls.queued_at", "<", before.queued_at),
          eb.and([eb("calls.queued_at", "=", before.queued_at), eb("calls.id", "<", before.id)]),
        ]),
      );
    }
    return query.orderBy("calls.queued_at", "desc").orderBy("calls.id", "desc").limit(limit).execute();
  }

  /**
   * The history of GET /me/calls: newest first, and with `since` only the calls finalized at or after it
   * (ISO strings of one format compare as their instants do).
   */
  history(owner: CallOwner, since: string | undefined, limit: number): Promise<CallTable[]> {
    let query = this.ownedBy(owner);
    if (since !== undefined) query = query.where("calls.finalized_at", ">=", since);
    return query.orderBy("calls.queued_at", "desc").orderBy("calls.id", "desc").limit(limit).execute();
  }

  private ownedBy(owner: CallOwner) {
    const query = this.db.selectFrom("calls").selectAll("calls");
    if ("accountId" in owner) {
      return query
        .innerJoin("api_keys", "api_keys.id", "calls.key_id")
        .where("api_keys.account_id", "=", owner.accountId);
    }
    return query.where("calls.key_id", "=", owner.keyId);
  }

  /** Fails when the database cannot be read (health checks). */
  async ping(): Promise<void> {
    await this.db.selectFrom("calls").select("id").limit(1).execute();
  }
}
