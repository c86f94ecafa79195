import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL } from "../../test/helpers/external-services.ts";
import { describeWith, POSTGRES } from "../../test/helpers/prerequisites.ts";
import { newCallRow } from "../calls/admission.ts";
import { CallStore } from "../calls/call-store.ts";
import { type Db, openDatabase } from "../store/database.ts";
import { Billing } from "./billing.ts";

const settings = { freeSeconds: 0, signupGrantSeconds: 0, purchaseText: "", purchaseUrl: undefined };
const LIFETIMES = { idleMs: 30 * 60_000, absoluteMs: 2 * 3_600_000 };
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 10, 8, 0) + minutes * 60_000);

/** The same checks on each database: the session table and the dashboard's new queries are new SQL. */
function sessionChecks(open: () => Promise<Db>) {
  let db: Db;
  let billing: Billing;
  beforeAll(async () => {
    db = await open();
    billing = new Billing(db, settings, LIFETIMES);
  });
  afterAll(async () => {
    await db.destroy();
  });

  const account = async (email: string) => {
    const made = await billing.createAccount(email, "a long passphrase", at(0));
    if (made === "email_taken") throw new Error("taken");
    return made;
  };

  it("keeps only the SHA-256 of a session's id, and finds the account by the id", async () => {
    const a = await account("sessions-a@example.test");
    const id = await billing.sessions.create(a.id, at(0));
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await db
      .selectFrom("dashboard_sessions")
      .selectAll()
      .where("account_id", "=", a.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).toBe(createHash("sha256").update(id).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(id);
    expect(await billing.sessions.find(id, at(1))).toMatchObject({ accountId: a.id });
    expect(await billing.sessions.find(`${id.slice(0, -1)}x`, at(1))).toBeNull();
  });

  it("ends a session left idle, and one past its absolute lifetime however busy", async () => {
    const a = await account("sessions-b@example.test");
    const idle = await billing.sessions.create(a.id, at(0));
    expect(await billing.sessions.find(idle, at(29))).not.toBeNull();
    // Seen at minute 29: idle counts from there.
    expect(await billing.sessions.find(idle, at(58))).not.toBeNull();
    expect(await billing.sessions.find(idle, at(90))).toBeNull();

    const busy = await billing.sessions.create(a.id, at(0));
    for (let m = 20; m < 120; m += 20) expect(await billing.sessions.find(busy, at(m))).not.toBeNull();
    expect(await billing.sessions.find(busy, at(120))).toBeNull();
    // An ended session's row is gone, not only refused.
    const left = await db
      .selectFrom("dashboard_sessions")
      .select("id_hash")
      .where("account_id", "=", a.id)
      .execute();
    expect(left).toHaveLength(0);
  });

  it("signing out deletes the row", async () => {
    const a = await account("sessions-c@example.test");
    const id = await billing.sessions.create(a.id, at(0));
    await billing.sessions.end(id);
    expect(await billing.sessions.find(id, at(1))).toBeNull();
  });

  it("sums call seconds per day, and narrows an account's calls by outcome, number and day", async () => {
    const a = await account("sessions-d@example.test");
    const other = await account("sessions-e@example.test");
    const { record } = await billing.keys.mint(at(0), a.id);
    const { record: theirs } = await billing.keys.mint(at(0), other.id);
    const store = new CallStore(db);
    const place = async (
      id: string,
      key: typeof record,
      to: string,
      day: number,
      outcome: "answered" | "busy",
    ) => {
      const row = newCallRow({
        id,
        keyId: key.id,
        wallet: `account:${key.account_id}`,
        request: { to, task: "ask" },
        from: "+12125550111",
        nodeId: "node-a",
        now: new Date(Date.UTC(2026, 0, day, 12)),
      });
      await store.insert({ ...row, state: "ended", outcome });
    };
    await place("d-1", record, "+12125550100", 10, "answered");
    await place("d-2", record, "+12125550101", 11, "busy");
    await place("d-3", record, "+12125550100", 12, "answered");
    await place("d-4", theirs, "+12125550100", 12, "answered");
    const ids = async (filter: Parameters<CallStore["search"]>[1]) =>
      (await store.search({ accountId: a.id }, filter, null, 10)).map((r) => r.id);
    expect(await ids({})).toEqual(["d-3", "d-2", "d-1"]);
    expect(await ids({ outcome: "busy" })).toEqual(["d-2"]);
    expect(await ids({ number: "+12125550100" })).toEqual(["d-3", "d-1"]);
    expect(await ids({ fromDay: "2026-01-11", toDay: "2026-01-11" })).toEqual(["d-2"]);
    expect(await ids({ outcome: "running" })).toEqual([]);
    const first = await store.get("d-3");
    expect((await store.search({ accountId: a.id }, {}, first!, 10)).map((r) => r.id)).toEqual([
      "d-2",
      "d-1",
    ]);

    const wallet = `account:${a.id}`;
    await billing.ledger.append({ wallet, delta: 600, kind: "grant" }, at(0));
    await billing.ledger.debitCall(wallet, "d-1", 61, new Date(Date.UTC(2026, 0, 10, 13)), db);
    await billing.ledger.debitCall(wallet, "d-3", 30, new Date(Date.UTC(2026, 0, 12, 13)), db);
    await billing.ledger.debitCall(wallet, "d-2", 9, new Date(Date.UTC(2026, 0, 12, 23, 59)), db);
    expect(await billing.ledger.dailyCallSeconds(wallet, "2026-01-01T00:00:00.000Z")).toEqual([
      { day: "2026-01-10", seconds: 61 },
      { day: "2026-01-12", seconds: 39 },
    ]);
    expect(await billing.ledger.dailyCallSeconds(wallet, "2026-01-11T00:00:00.000Z")).toEqual([
      { day: "2026-01-12", seconds: 39 },
    ]);
  });
}

describe("dashboard sessions (real SQLite file)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-sessions-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  sessionChecks(() => openDatabase({ database: { kind: "sqlite", file: path.join(dir, "db.sqlite") } }));
});

describeWith(POSTGRES, "dashboard sessions (PostgreSQL)", () => {
  let drop: () => Promise<void> = async () => {};
  afterAll(async () => {
    await drop();
  });
  sessionChecks(async () => {
    const fresh = await freshDatabase(POSTGRES_URL!);
    drop = fresh.drop;
    return openDatabase({ database: { kind: "postgres", url: fresh.url } });
  });
});
