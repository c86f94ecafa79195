import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../store/database.ts";

/** How long a session lasts with nothing done, and at most from its sign-in. */
export interface SessionLifetimes {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIFETIMES: SessionLifetimes = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
};

/** A signed-in dashboard visitor: the account, and when the session started. */
export interface DashboardSession {
  accountId: string;
  createdAt: string;
}

/** Writes of `last_seen_at` at most this often per session, so browsing is not a write per page. */
const TOUCH_EVERY_MS = 60_000;

/** 32 random bytes, like API keys: a plain SHA-256 at rest is enough, there is no dictionary to try. */
const hashId = (id: string) => createHash("sha256").update(id).digest("hex");
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** Dashboard sign-ins: the only SQL on the dashboard_sessions table. */
export class DashboardSessions {
  constructor(
    private readonly db: Db,
    readonly lifetimes: SessionLifetimes = DEFAULT_SESSION_LIFETIMES,
  ) {}

  /** Starts a session and returns its id for the cookie; the id itself is never stored. */
  async create(accountId: string, now: Date): Promise<string> {
    // Expired sessions are of no use to anyone: each sign-in clears them.
    await this.sweep(now);
    const id = randomBytes(32).toString("base64url");
    const at = now.toISOString();
    await this.db
      .insertInto("dashboard_sessions")
      .values({
        id_hash: hashId(id),
        account_id: accountId,
        created_at: at,
        last_seen_at: at,
        expires_at: new Date(now.getTime() + this.lifetimes.absoluteMs).toISOString(),
      })
      .execute();
    return id;
  }

  /** The live session behind a cookie's id, noting the visit; null when unknown, idle too long or expired. */
  async find(id: string, now: Date): Promise<DashboardSession | null> {
    if (!SESSION_ID.test(id)) return null;
    const idHash = hashId(id);
    const row = await this.db
      .selectFrom("dashboard_sessions")
      .selectAll()
      .where("id_hash", "=", idHash)
      .executeTakeFirst();
    if (!row) return null;
    const idleSince = now.getTime() - Date.parse(row.last_seen_at);
    if (Date.parse(row.expires_at) <= now.getTime() || idleSince >= this.lifetimes.idleMs) {
      await this.db.deleteFrom("dashboard_sessions").where("id_hash", "=", idHash).execute();
      return null;
    }
    if (idleSince >= TOUCH_EVERY_MS) {
      await this.db
        .updateTable("dashboard_sessions")
        .set({ last_seen_at: now.toISOString() })
        .where("id_hash", "=", idHash)
        .execute();
    }
    return { accountId: row.account_id, createdAt: row.created_at };
  }

  /** Signs out: the row is deleted, so the cookie is worth nothing even if it was copied. */
  async end(id: string): Promise<void> {
    if (!SESSION_ID.test(id)) return;
    await this.db.deleteFrom("dashboard_sessions").where("id_hash", "=", hashId(id)).execute();
  }

  /** Deletes sessions past their absolute expiry or idle too long. */
  async sweep(now: Date): Promise<void> {
    await this.db
      .deleteFrom("dashboard_sessions")
      .where((eb) =>
        eb.or([
          eb("expires_at", "<=", now.toISOString()),
          eb("last_seen_at", "<=", new Date(now.getTime() - this.lifetimes.idleMs).toISOString()),
        ]),
      )
      .execute();
  }
}
