import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Billing } from "../billing/billing.ts";
import { openDatabase } from "../store/database.ts";
import { newCallRow } from "./admission.ts";
import { CallStore } from "./call-store.ts";

const settings = { freeSeconds: 1200, signupGrantSeconds: 0, purchaseText: "", purchaseUrl: undefined };
const final = (at: string) => ({
  fail_reason: null,
  outcome: "answered" as const,
  outcome_detail: null,
  talk_seconds: 3,
  finalized_at: at,
  last_seen_at: at,
  result: null,
});

describe("the call store (real SQLite file)", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  async function open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-calls-"));
    dirs.push(dir);
    const db = await openDatabase({ database: { kind: "sqlite", file: path.join(dir, "db.sqlite") } });
    const { record } = await new Billing(db, settings).mintKey(new Date());
    const store = new CallStore(db);
    const place = async (id: string, at: string) => {
      const row = newCallRow({
        id,
        keyId: record.id,
        wallet: record.id,
        request: { to: "+12125550100", task: "ask", bridge_number: "+12125550199" },
        from: "+12125550111",
        nodeId: "node-a",
        now: new Date(at),
      });
      await store.insert(row);
      return row;
    };
    return { store, keyId: record.id, place };
  }

  it("moves a call on only from the state it is in, and ends it once", async () => {
    const { store, keyId, place } = await open();
    await place("c1", "2026-01-01T00:00:00.000Z");
    expect(await store.countLive(keyId)).toBe(1);
    const now = new Date("2026-01-01T00:00:05.000Z");
    expect(await store.transition("c1", "queued", "ringing", { dialing_at: now.toISOString() }, now)).toBe(
      true,
    );
    // A second node that still saw it queued loses.
    expect(await store.transition("c1", "queued", "in_progress", {}, now)).toBe(false);
    expect((await store.get("c1"))?.state).toBe("ringing");

    await store.end("c1", final("2026-01-01T00:01:00.000Z"));
    await store.end("c1", { ...final("2026-01-01T00:09:00.000Z"), outcome: "system_error" });
    const ended = await store.get("c1");
    expect(ended).toMatchObject({
      state: "ended",
      outcome: "answered",
      finalized_at: "2026-01-01T00:01:00.000Z",
    });
    expect(await store.countLive(keyId)).toBe(0);
    expect(await store.unfinished()).toEqual([]);
    // The bridge number is never written.
    expect(JSON.stringify(ended)).not.toContain("+12125550199");
  });

  it("lists a key's calls newest first, a page at a time", async () => {
    const { store, keyId, place } = await open();
    for (let i = 1; i <= 5; i++) await place(`c${i}`, `2026-01-01T00:0${i}:00.000Z`);
    const first = await store.list({ keyId }, null, 2);
    expect(first.map((r) => r.id)).toEqual(["c5", "c4"]);
    const next = await store.list({ keyId }, first.at(-1)!, 10);
    expect(next.map((r) => r.id)).toEqual(["c3", "c2", "c1"]);
    expect(await store.list({ keyId: "someone-else" }, null, 10)).toEqual([]);
  });

  it("keeps extension fields and heartbeats only for calls still going", async () => {
    const { store, place } = await open();
    await place("c1", "2026-01-01T00:00:00.000Z");
    await place("c2", "2026-01-01T00:00:00.000Z");
    await store.end("c2", final("2026-01-01T00:00:30.000Z"));
    expect(await store.mergeMeta("c1", { latency: { turns: 2 } })).toBe(true);
    expect(await store.mergeMeta("missing", { latency: {} })).toBe(false);
    // A final call's fields are settled.
    expect(await store.mergeMeta("c2", { latency: { turns: 1 } })).toBe(false);
    await store.touch(["c1", "c2"], new Date("2026-01-01T00:05:00.000Z"));
    const [c1, c2] = [await store.get("c1"), await store.get("c2")];
    expect(JSON.parse(c1!.meta!)).toEqual({ latency: { turns: 2 } });
    expect(c1!.last_seen_at).toBe("2026-01-01T00:05:00.000Z");
    expect(c2!.last_seen_at).toBe("2026-01-01T00:00:30.000Z");
    expect(c2!.meta).toBeNull();
    expect((await store.unfinished("node-a")).map((r) => r.id)).toEqual(["c1"]);
    expect(await store.unfinished("node-b")).toEqual([]);
  });
});
