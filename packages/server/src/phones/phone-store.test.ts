import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL } from "../../test/helpers/external-services.ts";
import { describeWith, POSTGRES } from "../../test/helpers/prerequisites.ts";
import { Billing } from "../billing/billing.ts";
import { type Db, openDatabase } from "../store/database.ts";
import { PhoneStore } from "./phone-store.ts";

const settings = { freeSeconds: 1200, signupGrantSeconds: 0, purchaseText: "", purchaseUrl: undefined };
const NOW = new Date("2026-11-30T09:00:00Z");
const LATER = new Date("2026-11-30T09:01:00Z");

/** The store's whole life on one database: start, settle, replace, remove, each account apart. */
async function storeStory(db: Db): Promise<void> {
  const billing = new Billing(db, settings);
  const a = await billing.createAccount("a@example.test", "a long passphrase", NOW);
  const b = await billing.createAccount("b@example.test", "a long passphrase", NOW);
  if (a === "email_taken" || b === "email_taken") throw new Error("accounts not made");
  const store = new PhoneStore(db);

  expect(await store.get(a.id)).toBeNull();
  const calling = await store.startVerification(a.id, "+13125550118", "hash-1", LATER, NOW);
  expect(calling).toEqual({ phone: "+13125550118", status: "calling", verified_at: null, last_error: null });
  expect(await store.verified(a.id)).toBeNull();

  // A result for another code (a verification since replaced) changes nothing.
  expect(await store.settle(a.id, "hash-0", { verified: true }, LATER)).toBe(false);
  expect(await store.settle(a.id, "hash-1", { verified: true }, LATER)).toBe(true);
  expect(await store.get(a.id)).toEqual({
    phone: "+13125550118",
    status: "verified",
    verified_at: LATER.toISOString(),
    last_error: null,
  });
  expect(await store.verified(a.id)).toBe("+13125550118");
  // Settled once: the code is gone.
  expect(await store.settle(a.id, "hash-1", { verified: false, error: "wrong_code" }, LATER)).toBe(false);
  // Another account sees nothing of it.
  expect(await store.get(b.id)).toBeNull();
  expect(await store.verified(b.id)).toBeNull();

  // Changing the phone un-verifies it until the new one is proven.
  await store.startVerification(a.id, "+13125550119", "hash-2", LATER, LATER);
  expect(await store.verified(a.id)).toBeNull();
  await store.settle(a.id, "hash-2", { verified: false, error: "wrong_code" }, LATER);
  expect(await store.get(a.id)).toMatchObject({ status: "failed", last_error: "wrong_code" });

  // A verification whose call never reported back shows as expired once its code has.
  await store.startVerification(a.id, "+13125550118", "hash-3", LATER, NOW);
  expect(await store.get(a.id, NOW)).toMatchObject({ status: "calling" });
  expect(await store.get(a.id, LATER)).toMatchObject({ status: "failed", last_error: "expired" });

  expect(await store.remove(a.id)).toBe(true);
  expect(await store.get(a.id)).toBeNull();
  expect(await store.remove(a.id)).toBe(false);
}

describe("the account phone store (real SQLite file)", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it("keeps one phone per account, verified only by the settle of its own code", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-phones-"));
    dirs.push(dir);
    const db = await openDatabase({ database: { kind: "sqlite", file: path.join(dir, "db.sqlite") } });
    try {
      await storeStory(db);
    } finally {
      await db.destroy();
    }
  });
});

describeWith(POSTGRES, "the account phone store (PostgreSQL)", () => {
  it("keeps one phone per account, verified only by the settle of its own code", async () => {
    const fresh = await freshDatabase(POSTGRES_URL!);
    const db = await openDatabase({ database: { kind: "postgres", url: fresh.url } });
    try {
      await storeStory(db);
    } finally {
      await db.destroy();
      await fresh.drop();
    }
  });
});
