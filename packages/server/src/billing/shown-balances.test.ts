import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL } from "../../test/helpers/external-services.ts";
import { describeWith, POSTGRES } from "../../test/helpers/prerequisites.ts";
import { type DatabaseSettings, openDatabase } from "../store/database.ts";
import { Billing } from "./billing.ts";
import { walletOf } from "./keys.ts";

const settings = { freeSeconds: 1200, signupGrantSeconds: 0, purchaseText: "", purchaseUrl: undefined };

/**
 * What a response shows for a key (balance and tier; kept in memory on SQLite) is what the database holds:
 * after this process's writes once committed, and after another process's (the admin command) from the
 * next lookup of a key on.
 */
async function showsWhatIsHeld(database: DatabaseSettings) {
  const db = await openDatabase({ database });
  try {
    const billing = new Billing(db, settings);
    const now = new Date();
    const { key, record } = await billing.mintKey(now);
    expect(await billing.balanceOf(record)).toBe(1200);
    expect(await billing.balanceOf(record)).toBe(1200);

    await db.transaction().execute(async (tx) => {
      await billing.ledger.debitCall(walletOf(record), "call-1", 100, now, tx);
      // Read while the debit is not committed: the balance held is still the old one.
      expect(await billing.balanceOf(record)).toBe(1200);
    });
    expect(await billing.balanceOf(record)).toBe(1100);

    const account = await billing.createAccount(`shown-${Date.now()}@example.test`, "long enough", now);
    if (account === "email_taken") throw new Error("unexpected");
    expect(await billing.linkKey(record, account, now)).toBe("linked");
    const linked = (await billing.keys.find(key))!;
    expect(await billing.balanceOf(linked)).toBe(1100);
    expect(await billing.tierOf(linked)).toBe("free");

    // Another process with its own connection grants time.
    const admin = await openDatabase({ database });
    try {
      await new Billing(admin, settings).credit(account.id, 600, "grant", "operator", now);
    } finally {
      await admin.destroy();
    }
    expect((await billing.keys.findRecent(key))?.id).toBe(record.id);
    expect(await billing.balanceOf(linked)).toBe(1700);
    expect(await billing.tierOf(linked)).toBe("paid");

    await billing.credit(account.id, 60, "purchase", "p1", now);
    expect(await billing.balanceOf(linked)).toBe(1760);
    expect(await billing.ledger.summedBalance(walletOf(linked))).toBe(1760);
  } finally {
    await db.destroy();
  }
}

describe("balances and tiers shown to keys (real SQLite file)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-shown-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("are what the file holds after this process's commits and, from the next key lookup, another's", async () => {
    await showsWhatIsHeld({ kind: "sqlite", file: path.join(dir, "db.sqlite") });
  });
});

describeWith(POSTGRES, "balances and tiers shown to keys (PostgreSQL)", () => {
  it("are what the database holds after this process's commits and another's", async () => {
    const fresh = await freshDatabase(POSTGRES_URL!);
    try {
      await showsWhatIsHeld({ kind: "postgres", url: fresh.url });
    } finally {
      await fresh.drop();
    }
  });
});
