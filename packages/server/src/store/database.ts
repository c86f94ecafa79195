// Room store/: SQL (SQLite or Postgres) with schema and migrations; the live store (memory or Redis).
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import { migrate } from "./migrations.ts";
import { privateDir, privateFile, privateIfPresent } from "./private-files.ts";
import type { Database } from "./schema.ts";
import { keepingStatements } from "./sqlite-statements.ts";

export type Db = Kysely<Database>;

/** Where the records live: an SQLite file (the embedded default) or a Postgres server. */
export type DatabaseSettings = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

const otherWriters = new WeakMap<Db, () => number>();

/**
 * For an SQLite file, a number that changes whenever another connection (another process: the admin
 * command) committed a change to it since the last call; null for PostgreSQL, whose writers are other
 * nodes too. Cheap enough to ask on every request: SQLite answers it from memory.
 */
export function otherWritersVersion(db: Db): (() => number) | null {
  return otherWriters.get(db) ?? null;
}

/** Opens the configured database (SQLite file by default, Postgres with DATABASE_URL) and migrates it. */
export async function openDatabase(config: { database: DatabaseSettings }): Promise<Db> {
  let db: Db;
  if (config.database.kind === "sqlite") {
    const file = config.database.file;
    privateDir(path.dirname(file));
    // SQLite gives its -wal and -shm files the main file's mode when it creates them.
    privateFile(file);
    privateIfPresent(`${file}-wal`, `${file}-shm`);
    const sqlite = new SQLite(file);
    // WAL keeps readers (polling) from waiting on writers; a crash loses nothing committed.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: keepingStatements(sqlite) }) });
    const version = sqlite.prepare("PRAGMA data_version").pluck();
    otherWriters.set(db, () => Number(version.get()));
  } else {
    // Loaded only for PostgreSQL: the embedded default never needs the driver.
    const { default: pg } = await import("pg");
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: config.database.url, max: 10 }) }),
    });
  }
  await migrate(db, config.database.kind);
  return db;
}
