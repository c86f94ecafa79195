import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL } from "../../test/helpers/external-services.ts";
import { describeWith, POSTGRES } from "../../test/helpers/prerequisites.ts";
import { Billing } from "../billing/billing.ts";
import type { Db } from "../store/database.ts";
import { openDatabase } from "../store/database.ts";
import { creditPurchaseOnce } from "./purchases.ts";

const settings = { freeSeconds: 0, signupGrantSeconds: 0, purchaseText: "", purchaseUrl: undefined };

/** One paid session delivered ten times at once, as racing webhook deliveries would credit it. */
async function creditTenAtOnce(db: Db, billing: Billing, email: string, sessionId: string) {
  const account = await billing.createAccount(email, "long enough", new Date());
  if (account === "email_taken") throw new Error("unexpected");
  const purchase = {
    session_id: sessionId,
    account_id: account.id,
    seconds: 3600,
    amount: 900,
    currency: "usd",
  };
  const results = await Promise.all(
    Array.from({ length: 10 }, () => creditPurchaseOnce(db, billing.ledger, purchase, new Date())),
  );
  return { account, purchase, results };
}

describe("crediting a purchase once (real SQLite file)", () => {
  let dir: string;
  let db: Db;
  let billing: Billing;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-purchases-"));
    db = await openDatabase({ database: { kind: "sqlite", file: path.join(dir, "db.sqlite") } });
    billing = new Billing(db, settings);
  });
  afterAll(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes the payment and its ledger row together, once per session, even when deliveries race", async () => {
    const { account, purchase, results } = await creditTenAtOnce(
      db,
      billing,
      "buyer@example.test",
      "cs_test_race",
    );
    expect(results.filter((r) => r === "credited")).toHaveLength(1);
    expect(await billing.ledger.balance(`account:${account.id}`)).toBe(3600);
    const rows = await db.selectFrom("ledger").selectAll().where("kind", "=", "purchase").execute();
    expect(rows).toMatchObject([
      { wallet: `account:${account.id}`, delta_seconds: 3600, note: "checkout cs_test_race" },
    ]);
    expect(await db.selectFrom("payments").selectAll().execute()).toMatchObject([purchase]);

    const other = { ...purchase, session_id: "cs_test_other", seconds: 60 };
    expect(await creditPurchaseOnce(db, billing.ledger, other, new Date())).toBe("credited");
    expect(await billing.ledger.balance(`account:${account.id}`)).toBe(3660);
  });

  it("credits nothing when the account does not exist (the payment row would dangle)", async () => {
    const purchase = {
      session_id: "cs_test_ghost",
      account_id: "no-such-account",
      seconds: 60,
      amount: 900,
      currency: "usd",
    };
    await expect(creditPurchaseOnce(db, billing.ledger, purchase, new Date())).rejects.toThrow();
    expect(await billing.ledger.balance("account:no-such-account")).toBe(0);
  });
});

describeWith(POSTGRES, "crediting a purchase once (PostgreSQL)", () => {
  it("credits a payment delivered ten times at once exactly once", async () => {
    const fresh = await freshDatabase(POSTGRES_URL!);
    const db = await openDatabase({ database: { kind: "postgres", url: fresh.url } });
    try {
      const billing = new Billing(db, settings);
      const { account, results } = await creditTenAtOnce(db, billing, "pg-buyer@example.test", "cs_test_pg");
      expect(results.filter((r) => r === "credited")).toHaveLength(1);
      expect(await billing.ledger.balance(`account:${account.id}`)).toBe(3600);
      expect(await db.selectFrom("payments").selectAll().execute()).toHaveLength(1);
    } finally {
      await db.destroy();
      await fresh.drop();
    }
  });
});
