import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../store/database.ts";
import { Billing } from "./billing.ts";
import { walletOf } from "./keys.ts";

const settings = { freeSeconds: 1200, signupGrantSeconds: 60, purchaseText: "", purchaseUrl: undefined };

describe("keys and the ledger (real SQLite file)", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const open = async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-ledger-"));
    dirs.push(dir);
    const db = await openDatabase({ database: { kind: "sqlite", file: path.join(dir, "db.sqlite") } });
    return { db, billing: new Billing(db, settings) };
  };

  it("mints keys with the allowance, stores only their hash, and finds them again", async () => {
    const { db, billing } = await open();
    const { key, record } = await billing.mintKey(new Date());
    expect(await billing.balanceOf(record)).toBe(1200);
    expect((await billing.keys.find(key))?.id).toBe(record.id);
    expect(await billing.keys.find(`${key}x`)).toBeNull();
    const rows = await db.selectFrom("api_keys").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(key);
    await billing.keys.revoke(record.id, new Date());
    expect(await billing.keys.find(key)).toBeNull();
    await db.destroy();
  });

  it("debits a call once, however often it is settled", async () => {
    const { db, billing } = await open();
    const { record } = await billing.mintKey(new Date());
    const wallet = walletOf(record);
    for (let i = 0; i < 3; i++) {
      await db.transaction().execute((tx) => billing.ledger.debitCall(wallet, "call-1", 42, new Date(), tx));
    }
    expect(await billing.balanceOf(record)).toBe(1158);
    await db.destroy();
  });

  it("moves what is left of a free key into the account it is linked to", async () => {
    const { db, billing } = await open();
    const { record } = await billing.mintKey(new Date());
    await db
      .transaction()
      .execute((tx) => billing.ledger.debitCall(walletOf(record), "c", 200, new Date(), tx));
    const account = await billing.createAccount("a@b.test", "password1", new Date());
    if (account === "email_taken") throw new Error("unexpected");
    expect(await billing.linkKey(record, account, new Date())).toBe("linked");
    const linked = (await billing.keys.byId(record.id))!;
    // 1000 left on the key plus the 60 s sign-up grant.
    expect(await billing.balanceOf(linked)).toBe(1060);
    expect(await billing.linkKey(linked, account, new Date())).toBe("already");
    expect(await billing.authenticate("A@B.test", "password1")).toMatchObject({ id: account.id });
    expect(await billing.authenticate("a@b.test", "wrong-password")).toBeNull();
    await db.destroy();
  });
});
