import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { sandboxCallerNumbers } from "../../src/calls/number-pool.ts";
import { type Db, openDatabase } from "../../src/store/database.ts";
import { writeCallRow } from "../helpers/call-rows.ts";
import { freshDatabase, POSTGRES_URL, REDIS_URL } from "../helpers/external-services.ts";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { describeWith, POSTGRES_AND_REDIS } from "../helpers/prerequisites.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

const POOL_SIZE = 3;
const NUMBERS = sandboxCallerNumbers(POOL_SIZE);
/** Rings unanswered for the whole test, so each call holds its caller number until it is hung up. */
const RINGS_ON = "+12125550102";

interface Placed {
  key: string;
  id: string;
  node: TestService;
}

describeWith(POSTGRES_AND_REDIS, "one caller number pool shared by two nodes", () => {
  let database: { url: string; drop(): Promise<void> };
  let db: Db;
  let nodeA: TestService;
  let nodeB: TestService;
  const placed: Placed[] = [];

  beforeAll(async () => {
    database = await freshDatabase(POSTGRES_URL!);
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: REDIS_URL!,
      CLAWCALL_SECRET: `secret-${Date.now()}`,
      CLAWCALL_SANDBOX_POOL_SIZE: String(POOL_SIZE),
      // RINGS_ON gives up after six ring periods: a minute here, longer than any test runs.
      CLAWCALL_SANDBOX_RING_SECONDS: "10",
      CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "20",
      // The reaper runs when a test asks it to.
      CLAWCALL_REAPER_INTERVAL_SECONDS: "3600",
    };
    nodeA = await startTestService({ ...env, CLAWCALL_NODE_ID: "pool-a" }, { engine: new ListeningEngine() });
    nodeB = await startTestService({ ...env, CLAWCALL_NODE_ID: "pool-b" }, { engine: new ListeningEngine() });
    db = await openDatabase({ database: { kind: "postgres", url: database.url } });
  });
  afterEach(async () => {
    for (const p of placed.splice(0)) {
      await p.node.request("POST", `/call/${p.id}/hangup`, { key: p.key });
      await pollUntilFinal(p.node, p.key, p.id);
    }
  });
  afterAll(async () => {
    await nodeA?.dispose();
    await nodeB?.dispose();
    await db?.destroy();
    await database?.drop();
  });

  const place = async (node: TestService) => {
    const res = await node.request("POST", "/call", { body: { to: RINGS_ON, task: "Wait for an answer." } });
    if (res.status === 201) placed.push({ key: res.body.api_key, id: res.body.call_id, node });
    return res;
  };
  const fromOf = async (p: Placed) =>
    (await p.node.request("GET", `/call/${p.id}`, { key: p.key })).body.numbers.from as string;

  it("the nodes together hold no more calls than there are numbers, and a call's end frees one", async () => {
    for (const node of [nodeA, nodeB, nodeA]) expect((await place(node)).status).toBe(201);
    const froms = await Promise.all(placed.map(fromOf));
    expect(new Set(froms)).toEqual(new Set(NUMBERS));

    for (const node of [nodeA, nodeB]) {
      const refused = await place(node);
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe("number_pool_exhausted");
      expect(refused.headers.get("retry-after")).toBe("15");
    }

    // A hang-up sent to node B ends node A's call; its number can then be used by a call on node B.
    const ended = placed.shift()!;
    expect(ended.node).toBe(nodeA);
    expect((await nodeB.request("POST", `/call/${ended.id}/hangup`, { key: ended.key })).status).toBe(200);
    await pollUntilFinal(nodeB, ended.key, ended.id);
    const next = await place(nodeB);
    expect(next.status).toBe(201);
    expect(await fromOf(placed.at(-1)!)).toBe(froms[0]);
    expect((await place(nodeA)).status).toBe(503);
  });

  it("of many simultaneous requests on both nodes, one per number is admitted, each with its own number", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => place(i % 2 ? nodeB : nodeA)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(POOL_SIZE).fill(201), ...Array(10 - POOL_SIZE).fill(503)]);
    expect(new Set(await Promise.all(placed.map(fromOf)))).toEqual(new Set(NUMBERS));
  });

  it("a call left by a dead node holds its number until the reaper ends it, then the number is free", async () => {
    const lastSeen = new Date(Date.now() - 600_000).toISOString();
    await writeCallRow(
      db,
      {
        id: "left-by-dead-node",
        state: "in_progress",
        from_number: NUMBERS[0]!,
        dialing_at: lastSeen,
        answered_at: lastSeen,
        owner_node: "c",
      },
      lastSeen,
    );
    await db
      .insertInto("caller_number_leases")
      .values({ number: NUMBERS[0]!, call_id: "left-by-dead-node", leased_at: lastSeen })
      .execute();

    expect((await place(nodeA)).status).toBe(201);
    expect((await place(nodeB)).status).toBe(201);
    expect((await place(nodeA)).status).toBe(503);

    expect(await nodeB.supervisor.reap()).toBe(1);
    const dead = await db
      .selectFrom("calls")
      .select(["state"])
      .where("id", "=", "left-by-dead-node")
      .executeTakeFirstOrThrow();
    expect(dead.state).toBe("ended");
    expect(
      await db
        .selectFrom("caller_number_leases")
        .select("number")
        .where("call_id", "=", "left-by-dead-node")
        .execute(),
    ).toEqual([]);

    expect((await place(nodeA)).status).toBe(201);
    expect(await fromOf(placed.at(-1)!)).toBe(NUMBERS[0]);
  });
});
