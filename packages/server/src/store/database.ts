// Room store/: SQL (SQLite or Postgres) with schema and migrations; the live store (memory or Redis).
import path from "node:path";
import SQLite from "better-sqlite3";
import { type CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from "kysely";
import { migrate } from "./migrations.ts";
import { privateDir, privateFile, privateIfPresent } from "./private-files.ts";
import type { Database } from "./schema.ts";
import { keepingStatements } from "./sqlite-statements.ts";

export type Db = Kysely<Database>;

/** Where the records live: an SQLite file (the embedded default) or a Postgres server. */
export type DatabaseSettings = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

const otherWriters = new WeakMap<Db, () => number>();
const ownWrites = new WeakMap<Db, () => number>();
const readers = new WeakMap<Db, (query: CompiledQuery) => unknown[]>();

/**
 * For an SQLite file, a number that changes whenever another connection (another process: the admin
 * command) committed a change to it since the last call; null for PostgreSQL, whose writers are other
 * nodes too. Cheap enough to ask on every request: SQLite answers it from memory.
 */
export function otherWritersVersion(db: Db): (() => number) | null {
  return otherWriters.get(db) ?? null;
}

/**
 * For an SQLite file, how many statements that write (a transaction's begin and end among them) this
 * process has run on it; null for PostgreSQL. While it and `otherWritersVersion` stay the same, what was
 * read from the file is still what it holds.
 */
export function ownWritesCount(db: Db): (() => number) | null {
  return ownWrites.get(db) ?? null;
}

/**
 * Runs a read at once on an SQLite file's read-only connection of its own, which sees what is committed
 * and nothing of a transaction still open on the main one; null for PostgreSQL, where the caller goes
 * through Kysely. For reads made on every request (a wallet's balance): Kysely's way to the one SQLite
 * connection (its lock, plugins and promises) costs several times the lookup itself.
 */
export function readCommitted<R>(db: Db, query: CompiledQuery<R>): R[] | null {
  const read = readers.get(db);
  return read ? (read(query) as R[]) : null;
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
    // Opened with its first read, after the migrations made the tables it reads.
    let reader: ReturnType<typeof keepingStatements> | undefined;
    const main = keepingStatements(sqlite);
    let writes = 0;
    const database = {
      prepare(sql: string) {
        const stmt = main.prepare(sql);
        if (!stmt.reader) writes++;
        return stmt;
      },
      close() {
        reader?.close();
        main.close();
      },
    };
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    const version = sqlite.prepare("PRAGMA data_version").pluck();
    otherWriters.set(db, () => Number(version.get()));
    ownWrites.set(db, () => writes);
    if (file !== ":memory:") {
      readers.set(db, (query) => {
        reader ??= keepingStatements(readOnly(file));
        return reader.prepare(query.sql).all(query.parameters) as unknown[];
      });
    }
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

function readOnly(file: string): SQLite.Database {
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  sqlite.pragma("busy_timeout = 5000");
  return sqlite;
}
