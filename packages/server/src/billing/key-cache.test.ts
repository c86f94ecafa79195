import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../store/database.ts";
import { Billing } from "./billing.ts";
import { KeyCache } from "./key-cache.ts";
import { hashApiKey } from "./keys.ts";

const settings = { freeSeconds: 60, signupGrantSeconds: 0, purchaseText: "", purchaseUrl: undefined };

describe("remembered keys", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-keycache-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "db.sqlite");

  it("are forgotten at once when revoked or linked here, or changed by another process on the file", async () => {
    const db = await openDatabase({ database: { kind: "sqlite", file } });
    const billing = new Billing(db, settings);
    const now = new Date();
    const first = await billing.mintKey(now);
    expect((await billing.keys.findRecent(first.key))?.id).toBe(first.record.id);
    await billing.keys.revoke(first.record.id, now);
    expect(await billing.keys.findRecent(first.key)).toBeNull();

    const second = await billing.mintKey(now);
    expect((await billing.keys.findRecent(second.key))?.account_id).toBeNull();
    const account = await billing.createAccount("cache@example.test", "long enough", now);
    if (account === "email_taken") throw new Error("unexpected");
    await billing.linkKey(second.record, account, now);
    expect((await billing.keys.findRecent(second.key))?.account_id).toBe(account.id);

    // The admin command is another process with its own connection to the file.
    const third = await billing.mintKey(now);
    expect((await billing.keys.findRecent(third.key))?.id).toBe(third.record.id);
    const admin = await openDatabase({ database: { kind: "sqlite", file } });
    await new Billing(admin, settings).keys.revoke(third.record.id, now);
    await admin.destroy();
    expect(await billing.keys.findRecent(third.key)).toBeNull();
    await db.destroy();
  });

  it("hold a live record for their time only, and never an unknown key", async () => {
    let t = 0;
    const cache = new KeyCache(2, () => t);
    const record = {
      id: "k1",
      key_hash: hashApiKey("ck_x"),
      hint: "x",
      account_id: null,
      created_at: "",
      revoked_at: null,
      last_used_at: null,
    };
    expect(cache.get(record.key_hash)).toBeUndefined();
    cache.set(record);
    t = 1999;
    expect(cache.get(record.key_hash)).toBe(record);
    t = 2000;
    expect(cache.get(record.key_hash)).toBeUndefined();
    cache.set(record);
    cache.drop("k1");
    expect(cache.get(record.key_hash)).toBeUndefined();
  });

  it("drop the least recently used when full, however often one key is asked for in a row", () => {
    const cache = new KeyCache(2, () => 0);
    const record = (id: string) => ({
      id,
      key_hash: hashApiKey(`ck_${id}`),
      hint: id,
      account_id: null,
      created_at: "",
      revoked_at: null,
      last_used_at: null,
    });
    const [a, b, c] = [record("a"), record("b"), record("c")];
    cache.set(a);
    cache.set(b);
    expect(cache.get(a.key_hash)).toBe(a);
    expect(cache.get(a.key_hash)).toBe(a);
    for (let i = 0; i < 9_998; i++) cache.set(record(`filler-${i}`));
    // Full at 10,000: b is now the least recently used, a was asked for after it.
    cache.set(c);
    expect(cache.get(b.key_hash)).toBeUndefined();
    expect(cache.get(a.key_hash)).toBe(a);
    expect(cache.get(c.key_hash)).toBe(c);
  });
});
