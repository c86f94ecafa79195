import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL } from "../../test/helpers/external-services.ts";
import { describeWith, POSTGRES } from "../../test/helpers/prerequisites.ts";
import { type Db, openDatabase } from "../store/database.ts";
import { type NewDelivery, Outbox } from "./outbox.ts";

const delivery = (i: number): NewDelivery => ({
  event_id: `evt_${i}`,
  event_type: "call.completed",
  owner: "key:k1",
  call_id: `call-${i}`,
  url: "https://hooks.example.com/",
  payload: "{}",
  transcript_index: null,
  with_transcript: 1,
});

const EVENTS = 40;

/**
 * Several nodes (outboxes on their own connections) claim at once, round after round: every delivery is
 * leased to exactly one of them, and a delivery leased and not yet settled is nobody else's.
 */
async function raceForDeliveries(outboxes: Outbox[]) {
  const now = new Date();
  await outboxes[0]!.add(
    Array.from({ length: EVENTS }, (_, i) => delivery(i)),
    new Date(now.getTime() - 1000),
  );
  const lease = new Date(now.getTime() + 60_000);
  const all: string[] = [];
  for (let round = 0; round < EVENTS; round++) {
    const got = (await Promise.all(outboxes.map((o, n) => o.claim(`node-${n}`, now, lease, 5)))).flat();
    if (got.length === 0) break;
    all.push(...got.map((r) => r.id));
  }
  expect(all).toHaveLength(EVENTS);
  expect(new Set(all).size).toBe(EVENTS);
  expect(await outboxes[1]!.claim("late", now, lease, 100)).toEqual([]);
  // A lease that ran out (its node died) is taken again, by one node.
  const later = new Date(lease.getTime() + 1);
  const retaken = await Promise.all(
    outboxes.map((o, n) => o.claim(`node-${n}`, later, new Date(later.getTime() + 60_000), 100)),
  );
  expect(retaken.flat()).toHaveLength(EVENTS);
  expect(new Set(retaken.flat().map((r) => r.id)).size).toBe(EVENTS);
}

async function settleOnlyWithTheLease(outbox: Outbox) {
  const now = new Date();
  const [id] = await outbox.add([delivery(1)], new Date(now.getTime() - 1000));
  const [row] = await outbox.claim("node-a", now, new Date(now.getTime() + 60_000), 1);
  expect(row?.id).toBe(id);
  const fields = {
    status: "delivered" as const,
    attempts: 1,
    next_attempt_at: null,
    last_status_code: 200,
    last_error: null,
  };
  expect(await outbox.settle(id!, "node-b", fields)).toBe(false);
  expect(await outbox.settle(id!, "node-a", fields)).toBe(true);
  expect(await outbox.claim("node-b", new Date(now.getTime() + 120_000), new Date(), 10)).toEqual([]);
  expect((await outbox.get("key:k1", id!))?.status).toBe("delivered");
  expect(await outbox.get("key:other", id!)).toBeUndefined();
}

async function pruneOnlySettled(outbox: Outbox) {
  const long = new Date("2026-01-01T00:00:00Z");
  const [delivered, pending] = await outbox.add([delivery(1), delivery(2)], long);
  const [row] = await outbox.claim("a", new Date(), new Date(Date.now() + 60_000), 1);
  expect(row?.id).toBe(delivered);
  await outbox.settle(delivered!, "a", {
    status: "delivered",
    attempts: 1,
    next_attempt_at: null,
    last_status_code: 200,
    last_error: null,
  });
  const [recent] = await outbox.add([delivery(3)], new Date());
  expect(await outbox.prune(new Date("2026-02-01T00:00:00Z"))).toBe(1);
  expect(await outbox.get("key:k1", delivered!)).toBeUndefined();
  expect(await outbox.get("key:k1", pending!)).toBeDefined();
  expect(await outbox.get("key:k1", recent!)).toBeDefined();
}

describe("the webhook outbox on a SQLite file", () => {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.destroy();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const open = async (file: string) => {
    const db = await openDatabase({ database: { kind: "sqlite", file } });
    dbs.push(db);
    return new Outbox(db);
  };
  const newFile = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-outbox-"));
    dirs.push(dir);
    return path.join(dir, "db.sqlite");
  };

  it("leases each due delivery to one claimer", async () => {
    const file = newFile();
    await raceForDeliveries([await open(file), await open(file), await open(file)]);
  });

  it("settles a delivery only for the holder of its lease", async () => {
    await settleOnlyWithTheLease(await open(newFile()));
  });

  it("prunes old settled deliveries, never pending ones", async () => {
    await pruneOnlySettled(await open(newFile()));
  });

  it("frees the leases a dead process left, and claims nothing before it is due", async () => {
    const outbox = await open(newFile());
    const now = new Date();
    await outbox.add([delivery(1), delivery(2)], now);
    expect(
      await outbox.claim("a", new Date(now.getTime() - 1), new Date(now.getTime() + 60_000), 10),
    ).toEqual([]);
    expect(await outbox.claim("a", now, new Date(now.getTime() + 60_000), 10)).toHaveLength(2);
    expect(await outbox.claim("b", now, new Date(now.getTime() + 60_000), 10)).toHaveLength(0);
    await outbox.releaseAll();
    expect(await outbox.claim("b", now, new Date(now.getTime() + 60_000), 10)).toHaveLength(2);
  });
});

describeWith(POSTGRES, "the webhook outbox on PostgreSQL", () => {
  let drop: () => Promise<void>;
  let url: string;
  const dbs: Db[] = [];
  beforeAll(async () => {
    ({ url, drop } = await freshDatabase(POSTGRES_URL!));
  });
  afterEach(async () => {
    for (const db of dbs.splice(0)) {
      await db.deleteFrom("webhook_deliveries").execute();
      await db.destroy();
    }
  });
  afterAll(() => drop());
  const open = async () => {
    const db = await openDatabase({ database: { kind: "postgres", url } });
    dbs.push(db);
    return new Outbox(db);
  };

  it("leases each due delivery to one node of several", async () => {
    await raceForDeliveries([await open(), await open(), await open()]);
  });

  it("settles a delivery only for the holder of its lease", async () => {
    await settleOnlyWithTheLease(await open());
  });

  it("prunes old settled deliveries, never pending ones", async () => {
    await pruneOnlySettled(await open());
  });
});
