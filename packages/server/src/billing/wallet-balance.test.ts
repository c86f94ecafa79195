import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL } from "../../test/helpers/external-services.ts";
import { describeWith, POSTGRES } from "../../test/helpers/prerequisites.ts";
import { type DatabaseSettings, type Db, openDatabase } from "../store/database.ts";
import { walletBalancesFromLedger } from "../store/migrations.ts";
import { Billing } from "./billing.ts";
import { walletOf } from "./keys.ts";

const settings = { freeSeconds: 1200, signupGrantSeconds: 60, purchaseText: "", purchaseUrl: undefined };

/** Every kind of ledger row, some of them racing, on a few wallets. */
async function mixedOperations(db: Db, billing: Billing): Promise<string[]> {
  const now = new Date();
  const keys = await Promise.all([billing.mintKey(now), billing.mintKey(now), billing.mintKey(now)]);
  const [a, b, c] = keys.map((k) => k.record) as [
    (typeof keys)[0]["record"],
    ...(typeof keys)[0]["record"][],
  ];
  // A call settled three times at once debits once; two calls of one wallet at once both debit.
  await Promise.all(
    [1, 2, 3].map(() =>
      db.transaction().execute((tx) => billing.ledger.debitCall(walletOf(a), "call-a", 95, now, tx)),
    ),
  );
  await Promise.all(
    ["call-b1", "call-b2"].map((id) =>
      db.transaction().execute((tx) => billing.ledger.debitCall(walletOf(b!), id, 300, now, tx)),
    ),
  );
  const account = await billing.createAccount(`wallets-${Date.now()}@example.test`, "long enough", now);
  if (account === "email_taken") throw new Error("unexpected");
  expect(await billing.linkKey(a, account, now)).toBe("linked");
  expect(await billing.linkKey(c!, account, now)).toBe("linked");
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => billing.credit(account.id, 60, "purchase", `p${i}`, now)),
  );
  await billing.credit(account.id, 600, "grant", "operator", now);
  const linkedA = (await billing.keys.byId(a.id))!;
  await db
    .transaction()
    .execute((tx) => billing.ledger.debitCall(walletOf(linkedA), "call-a2", 1500, now, tx));
  return [walletOf(a), walletOf(b!), walletOf(c!), `account:${account.id}`];
}

async function expectKeptEqualsSummed(billing: Billing, wallets: string[], expected: number[]) {
  const kept = await Promise.all(wallets.map((w) => billing.ledger.balance(w)));
  const summed = await Promise.all(wallets.map((w) => billing.ledger.summedBalance(w)));
  expect(kept).toEqual(summed);
  expect(kept).toEqual(expected);
}

// a: 1200 - 95 = 1105 moved to the account; b: 1200 - 600; c: 1200 moved; the account: 60 + 1105 + 1200 +
// 600 bought + 600 granted - 1500.
const EXPECTED = [0, 600, 0, 2065];

async function checkBoth(database: DatabaseSettings) {
  const db = await openDatabase({ database });
  try {
    const billing = new Billing(db, settings);
    const wallets = await mixedOperations(db, billing);
    await expectKeptEqualsSummed(billing, wallets, EXPECTED);
    // What the migration does to a ledger that had no kept balances yet.
    await db.deleteFrom("wallet_balances").execute();
    await walletBalancesFromLedger(db);
    await expectKeptEqualsSummed(billing, wallets, EXPECTED);
  } finally {
    await db.destroy();
  }
}

describe("kept wallet balances (real SQLite file)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-wallets-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("equal the ledger's sum after mixed and racing rows, and the migration makes them from the ledger", async () => {
    await checkBoth({ kind: "sqlite", file: path.join(dir, "db.sqlite") });
  });
});

describeWith(POSTGRES, "kept wallet balances (PostgreSQL)", () => {
  it("equal the ledger's sum after mixed and racing rows, and the migration makes them from the ledger", async () => {
    const fresh = await freshDatabase(POSTGRES_URL!);
    try {
      await checkBoth({ kind: "postgres", url: fresh.url });
    } finally {
      await fresh.drop();
    }
  });
});
