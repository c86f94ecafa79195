import { randomBytes } from "node:crypto";
import type { Db } from "../store/database.ts";
import type { WebhookDeliveryTable } from "../store/schema.ts";

export type DeliveryRow = WebhookDeliveryTable;

/** What is written for one event to one receiver. */
export type NewDelivery = Pick<
  DeliveryRow,
  "event_id" | "event_type" | "owner" | "call_id" | "url" | "payload" | "transcript_index" | "with_transcript"
> & { replay_of?: string | null };

export const newId = (prefix: string) => `${prefix}_${randomBytes(16).toString("base64url")}`;

/**
 * The outbox of deliveries: the only SQL on webhook_deliveries. A node takes a due row with a lease (a
 * conditional update, so with several nodes on one database each row goes to one of them) and settles it
 * only while it still holds that lease.
 */
export class Outbox {
  /** `db` may be a transaction: a delivery is written with what it reports. */
  constructor(private readonly db: Db) {}

  async add(deliveries: readonly NewDelivery[], now: Date): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const rows: DeliveryRow[] = deliveries.map((d) => ({
      ...d,
      id: newId("whd"),
      replay_of: d.replay_of ?? null,
      status: "pending",
      attempts: 0,
      next_attempt_at: now.toISOString(),
      lease_until: null,
      lease_holder: null,
      last_status_code: null,
      last_error: null,
      created_at: now.toISOString(),
      delivered_at: null,
    }));
    await this.db.insertInto("webhook_deliveries").values(rows).execute();
    return rows.map((r) => r.id);
  }

  /** Leases up to `limit` due deliveries for `holder` until `leaseUntil`; the ones it got. */
  async claim(holder: string, now: Date, leaseUntil: Date, limit: number): Promise<DeliveryRow[]> {
    const nowIso = now.toISOString();
    const due = await this.db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", nowIso)
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", nowIso)]))
      .orderBy("next_attempt_at")
      .orderBy("created_at")
      // More than it will take: nodes polling at once race for the same first rows, and a node that
      // loses one goes on to the next instead of coming back empty.
      .limit(limit * 4)
      .execute();
    const claimed: DeliveryRow[] = [];
    for (const { id } of due) {
      if (claimed.length >= limit) break;
      const taken = await this.db
        .updateTable("webhook_deliveries")
        .set({ lease_until: leaseUntil.toISOString(), lease_holder: holder })
        .where("id", "=", id)
        .where("status", "=", "pending")
        .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", nowIso)]))
        .returningAll()
        .executeTakeFirst();
      if (taken) claimed.push(taken);
    }
    return claimed;
  }

  /** Settles an attempt, only if `holder` still holds the lease; false when it lost it. */
  async settle(
    id: string,
    holder: string,
    fields: Pick<
      DeliveryRow,
      "status" | "attempts" | "next_attempt_at" | "last_status_code" | "last_error"
    > & {
      delivered_at?: string | null;
    },
  ): Promise<boolean> {
    const updated = await this.db
      .updateTable("webhook_deliveries")
      .set({ ...fields, lease_until: null, lease_holder: null })
      .where("id", "=", id)
      .where("lease_holder", "=", holder)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /** Frees every lease (a single node starting: whatever held them died with the last process). */
  async releaseAll(): Promise<void> {
    await this.db
      .updateTable("webhook_deliveries")
      .set({ lease_until: null, lease_holder: null })
      .where("lease_until", "is not", null)
      .execute();
  }

  /** Gives up the pending deliveries of an owner that removed its webhook. */
  async cancelPending(owner: string, reason: string): Promise<void> {
    await this.db
      .updateTable("webhook_deliveries")
      .set({ status: "failed", next_attempt_at: null, last_error: reason })
      .where("owner", "=", owner)
      .where("status", "=", "pending")
      .execute();
  }

  /** Deletes settled deliveries (delivered or given up) made before `before`; how many went. */
  async prune(before: Date): Promise<number> {
    const deleted = await this.db
      .deleteFrom("webhook_deliveries")
      .where("status", "in", ["delivered", "failed"])
      .where("created_at", "<", before.toISOString())
      .executeTakeFirst();
    return Number(deleted.numDeletedRows);
  }

  get(owner: string, id: string): Promise<DeliveryRow | undefined> {
    return this.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("owner", "=", owner)
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /** An owner's deliveries, newest first. */
  list(
    owner: string,
    filter: { limit: number; status?: DeliveryRow["status"]; callId?: string },
  ): Promise<DeliveryRow[]> {
    let query = this.db.selectFrom("webhook_deliveries").selectAll().where("owner", "=", owner);
    if (filter.status) query = query.where("status", "=", filter.status);
    if (filter.callId) query = query.where("call_id", "=", filter.callId);
    return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(filter.limit).execute();
  }
}
