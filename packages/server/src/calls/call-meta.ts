import type { Db } from "../store/database.ts";

/**
 * The one writer of a call's `_meta` extensions (latency summary, the sandbox's report). Updates of one
 * call run one after another: the fields that arrive together at the end must not overwrite each other.
 */
export class CallMeta {
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly db: Db) {}

  merge(callId: string, fields: Record<string, unknown>): Promise<void> {
    const previous = this.writes.get(callId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const row = await this.db
        .selectFrom("calls")
        .select("meta")
        .where("id", "=", callId)
        .executeTakeFirst();
      if (!row) return;
      const meta = { ...(row.meta ? JSON.parse(row.meta) : {}), ...fields };
      await this.db
        .updateTable("calls")
        .set({ meta: JSON.stringify(meta) })
        .where("id", "=", callId)
        .execute();
    });
    const settled = next.catch(() => undefined);
    this.writes.set(callId, settled);
    void settled.then(() => {
      if (this.writes.get(callId) === settled) this.writes.delete(callId);
    });
    return next;
  }
}
