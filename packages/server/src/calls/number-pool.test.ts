import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { writeCallRow } from "../../test/helpers/call-rows.ts";
import { freshDatabase, POSTGRES_URL } from "../../test/helpers/external-services.ts";
import { describeWith, POSTGRES } from "../../test/helpers/prerequisites.ts";
import { type Db, openDatabase } from "../store/database.ts";
import type { CallTable } from "../store/schema.ts";
import { NumberPool } from "./number-pool.ts";

const NUMBERS = ["+12025550200", "+12025550201", "+12025550202"];

/** A call row in the given state, as admission writes it after leasing the number. */
function writeCall(db: Db, id: string, from: string, state: CallTable["state"]): Promise<void> {
  return writeCallRow(db, { id, from_number: from, state });
}

/**
 * Many acquires at once, spread over pools on separate connections (as separate nodes would be), for
 * several rounds: every number goes to exactly one call, and only once every number is taken does an
 * acquire come back empty.
 */
async function raceForNumbers(pools: NumberPool[], numbers: readonly string[], callers: number) {
  for (let round = 0; round < 5; round++) {
    const ids = Array.from({ length: callers }, () => randomUUID());
    const got = await Promise.all(ids.map((id, i) => pools[i % pools.length]!.acquire(id)));
    const taken = got.filter((n): n is string => n !== null);
    expect(taken).toHaveLength(numbers.length);
    expect(new Set(taken).size).toBe(numbers.length);
    expect(await pools[0]!.available()).toBe(0);
    await Promise.all(got.map((n, i) => (n === null ? null : pools[0]!.release(n, ids[i]!))));
    expect(await pools[0]!.available()).toBe(numbers.length);
  }
}

describe("the caller number pool on a SQLite file", () => {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.destroy();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const open = async (file?: string) => {
    let at = file;
    if (!at) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-pool-"));
      dirs.push(dir);
      at = path.join(dir, "db.sqlite");
    }
    const db = await openDatabase({ database: { kind: "sqlite", file: at } });
    dbs.push(db);
    return { db, file: at, pool: new NumberPool(db, NUMBERS) };
  };

  it("hands out each number once until none is left, and knows its own numbers", async () => {
    const { pool } = await open();
    expect(pool.has(NUMBERS[1]!)).toBe(true);
    expect(pool.has("+12125550100")).toBe(false);
    expect(await pool.available()).toBe(3);
    const got = [await pool.acquire("c1"), await pool.acquire("c2"), await pool.acquire("c3")];
    expect(got).toEqual(NUMBERS);
    expect(await pool.acquire("c4")).toBeNull();
    expect(await pool.available()).toBe(0);
  });

  it("a release frees the number, but only when it names the call that holds it", async () => {
    const { pool } = await open();
    for (const id of ["c1", "c2", "c3"]) await pool.acquire(id);
    await pool.release(NUMBERS[1]!, "c1");
    await pool.release(NUMBERS[1]!, "someone-else");
    expect(await pool.acquire("c4")).toBeNull();
    await pool.release(NUMBERS[1]!, "c2");
    expect(await pool.acquire("c4")).toBe(NUMBERS[1]);
    // A late release by the number's previous call leaves it with the call that holds it now.
    await pool.release(NUMBERS[1]!, "c2");
    expect(await pool.acquire("c5")).toBeNull();
  });

  it("a call's end frees every line it holds (its own and its handoff's), and no other call's", async () => {
    const { pool } = await open();
    await pool.acquire("c1");
    await pool.acquire("c1");
    await pool.acquire("c2");
    expect(await pool.available()).toBe(0);
    await pool.releaseCall("c1");
    expect(await pool.available()).toBe(2);
    expect(await pool.acquire("c3")).toBe(NUMBERS[0]);
    expect(await pool.acquire("c4")).toBe(NUMBERS[1]);
    expect(await pool.acquire("c5")).toBeNull();
  });

  it("a lease whose call has ended counts as free, and is then taken over", async () => {
    const { db, pool } = await open();
    for (const id of ["c1", "c2", "c3"]) {
      const number = await pool.acquire(id);
      await writeCall(db, id, number!, "in_progress");
    }
    expect(await pool.acquire("c4")).toBeNull();
    // Ended without its release (a crash between the two): the number is free all the same.
    await db.updateTable("calls").set({ state: "ended" }).where("id", "=", "c2").execute();
    expect(await pool.available()).toBe(1);
    expect(await pool.acquire("c4")).toBe(NUMBERS[1]);
    const lease = await db
      .selectFrom("caller_number_leases")
      .selectAll()
      .where("number", "=", NUMBERS[1]!)
      .executeTakeFirstOrThrow();
    expect(lease.call_id).toBe("c4");
    expect(await pool.acquire("c5")).toBeNull();
  });

  it("a lease whose call row was never written holds its number for a minute only", async () => {
    const { pool } = await open();
    const t0 = new Date("2030-01-01T00:00:00Z");
    for (const id of ["c1", "c2", "c3"]) await pool.acquire(id, t0);
    expect(await pool.acquire("c4", new Date(t0.getTime() + 30_000))).toBeNull();
    expect(await pool.acquire("c4", new Date(t0.getTime() + 61_000))).toBe(NUMBERS[0]);
  });

  it("concurrent acquires on two connections never hand out one number twice", async () => {
    const numbers = Array.from({ length: 6 }, (_, i) => `+1202555${String(300 + i).padStart(4, "0")}`);
    const first = await open();
    const second = await open(first.file);
    const pools = [new NumberPool(first.db, numbers), new NumberPool(second.db, numbers)];
    await raceForNumbers(pools, numbers, 20);
  });
});

describeWith(POSTGRES, "the caller number pool on PostgreSQL", () => {
  let database: { url: string; drop(): Promise<void> };
  const dbs: Db[] = [];
  beforeAll(async () => {
    database = await freshDatabase(POSTGRES_URL!);
    // Two connection pools, as two nodes would have.
    for (let i = 0; i < 2; i++)
      dbs.push(await openDatabase({ database: { kind: "postgres", url: database.url } }));
  });
  afterAll(async () => {
    for (const db of dbs) await db.destroy();
    await database?.drop();
  });

  it("concurrent acquires from two nodes never hand out one number twice", async () => {
    const numbers = Array.from({ length: 8 }, (_, i) => `+1202555${String(400 + i).padStart(4, "0")}`);
    const pools = dbs.map((db) => new NumberPool(db, numbers));
    await raceForNumbers(pools, numbers, 40);
  });

  it("a lease whose call has ended counts as free", async () => {
    const numbers = ["+12025550500"];
    const pool = new NumberPool(dbs[0]!, numbers);
    expect(await pool.acquire("p1")).toBe(numbers[0]);
    await writeCall(dbs[0]!, "p1", numbers[0]!, "ringing");
    expect(await new NumberPool(dbs[1]!, numbers).acquire("p2")).toBeNull();
    await dbs[0]!.updateTable("calls").set({ state: "ended" }).where("id", "=", "p1").execute();
    expect(await new NumberPool(dbs[1]!, numbers).acquire("p2")).toBe(numbers[0]);
  });
});
