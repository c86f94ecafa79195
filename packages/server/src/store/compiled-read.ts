import type { Compilable, CompiledQuery } from "kysely";
import { type Db, readCommitted } from "./database.ts";

/**
 * A read that runs often with the same text (a wallet's balance on every request, a wallet's webhook on
 * every transcript line): built and compiled by Kysely once, then run with new parameters. Kysely would
 * otherwise build and compile the same text each time, which costs more than SQLite's lookup. The
 * dialect's text is the same for a transaction as for the database it belongs to.
 */
export class CompiledRead<R> {
  private compiled: CompiledQuery<R> | undefined;

  /** `build` makes the query with placeholder values, one for each parameter `rows` is given, in order. */
  constructor(private readonly build: (on: Db) => Compilable<R>) {}

  /**
   * The rows for `parameters`, read on `on` (the database or a transaction on it). On `db` itself and on
   * SQLite, read at once from what is committed (see `readCommitted`); otherwise through Kysely.
   */
  async rows(db: Db, on: Db, parameters: readonly unknown[]): Promise<R[]> {
    this.compiled ??= this.build(on).compile();
    const query: CompiledQuery<R> = { ...this.compiled, parameters };
    return (on === db ? readCommitted(db, query) : null) ?? (await on.executeQuery(query)).rows;
  }
}
