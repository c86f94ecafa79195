import type SQLite from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** Enough for every query the service builds (lists of `?` vary in length), small enough to never matter. */
const DEFAULT_MAX_STATEMENTS = 500;

/**
 * The better-sqlite3 database as Kysely's SQLite driver sees it, with each statement prepared once and
 * kept by its SQL text (least recently used dropped first). Kysely asks for a new statement on every
 * query, and preparing one costs more than running the primary-key lookups that polling makes.
 * Kysely runs one query at a time on the one connection, so a kept statement is never busy when it is
 * handed out again; SQLite re-prepares a kept statement by itself when the schema changes.
 */
export function keepingStatements(db: SQLite.Database, max = DEFAULT_MAX_STATEMENTS): SqliteDatabase {
  const kept = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string): SqliteStatement {
      let stmt = kept.get(sql);
      if (stmt) {
        // Re-inserted, so the Map's order stays least recently used first.
        kept.delete(sql);
      } else {
        stmt = db.prepare(sql);
        if (kept.size >= max) {
          const oldest = kept.keys().next();
          if (!oldest.done) kept.delete(oldest.value);
        }
      }
      kept.set(sql, stmt);
      return stmt as unknown as SqliteStatement;
    },
    close(): void {
      kept.clear();
      db.close();
    },
  };
}
