import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_URL } from "../../test/helpers/external-services.ts";
import { describeWith, POSTGRES } from "../../test/helpers/prerequisites.ts";
import { type Db, openDatabase } from "../store/database.ts";
import { IdempotencyKeys } from "./idempotency.ts";

const IDEM = "order-7f3a9c21-idempotency";
const REQUEST = { to: "+12125550100", task: "Ask the hours." };
const opened: { db: Db; dir: string }[] = [];
afterEach(async () => {
  for (const { db, dir } of opened.splice(0)) {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

async function database(): Promise<Db> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-idem-"));
  const db = await openDatabase({ database: { kind: "sqlite", file: path.join(dir, "db.sqlite") } });
  opened.push({ db, dir });
  return db;
}

describe("IdempotencyKeys", () => {
  it("lets another node take over a placement whose first attempt died before creating the call", async () => {
    const db = await database();
    let now = Date.parse("2026-11-30T03:00:00Z");
    const clock = () => new Date(now);
    // Two nodes share the database; neither waits in real time here.
    const dead = new IdempotencyKeys(db, "secret", async () => {});
    const other = new IdempotencyKeys(db, "secret", async () => {
      now += 1_000;
    });
    const first = await dead.claim("k1", "203.0.113.9", REQUEST, clock);
    expect(first.kind).toBe("place");
    // The node died here: no call row. The retry waits for it, then places the call under the same id.
    const retry = await other.claim("k1", "203.0.113.9", REQUEST, clock);
    expect(retry).toEqual({
      kind: "place",
      id: (first as { id: string }).id,
      callId: (first as { callId: string }).callId,
      mintedKey: null,
    });
  });

  it("returns a minted key only to a retry that knows the idempotency key, and forgets after 24 h", async () => {
    const db = await database();
    let now = Date.parse("2026-11-30T03:00:00Z");
    const clock = () => new Date(now);
    const keys = new IdempotencyKeys(db, "secret", async () => {});
    const claim = await keys.claim(IDEM, "203.0.113.9", REQUEST, clock);
    if (claim.kind !== "place") throw new Error("expected a fresh claim");
    await keys.rememberMintedKey(claim.id, IDEM, "clawcall_sk_secret-value");
    const stored = await db.selectFrom("idempotency_keys").selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain("secret-value");
    expect(JSON.stringify(stored)).not.toContain(IDEM);
    now += 11_000;
    const retry = await keys.claim(IDEM, "203.0.113.9", REQUEST, clock);
    expect(retry).toMatchObject({ kind: "place", mintedKey: "clawcall_sk_secret-value" });
    expect(await keys.claim(IDEM, "203.0.113.9", { ...REQUEST, task: "Other." }, clock)).toEqual({
      kind: "conflict",
    });
    now += 24 * 3_600_000;
    const later = await keys.claim(IDEM, "203.0.113.9", { ...REQUEST, task: "Other." }, clock);
    expect(later.kind).toBe("place");
    expect((later as { callId: string }).callId).not.toBe(claim.callId);
  });
});

describeWith(POSTGRES, "IdempotencyKeys (PostgreSQL)", () => {
  it("two nodes claiming one key at once both end up with the same call id", async () => {
    const fresh = await freshDatabase(POSTGRES_URL!);
    const db = await openDatabase({ database: { kind: "postgres", url: fresh.url } });
    try {
      let now = Date.parse("2026-11-30T03:00:00Z");
      const clock = () => new Date(now);
      const tick = async () => {
        now += 1_000;
      };
      const nodes = [new IdempotencyKeys(db, "secret", tick), new IdempotencyKeys(db, "secret", tick)];
      const claims = await Promise.all(nodes.map((n) => n.claim(IDEM, "203.0.113.9", REQUEST, clock)));
      expect(claims.map((c) => c.kind)).toEqual(["place", "place"]);
      expect(new Set(claims.map((c) => (c as { callId: string }).callId)).size).toBe(1);
      expect(await db.selectFrom("idempotency_keys").selectAll().execute()).toHaveLength(1);
    } finally {
      await db.destroy();
      await fresh.drop();
    }
  });
});
