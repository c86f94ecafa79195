import { CallViewSchema } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

describe("sandbox network outcomes (spec/sandbox.md)", () => {
  let service: TestService;
  const engine = new ListeningEngine({ talkSeconds: 2 });

  beforeAll(async () => {
    // Two-second rings keep every intermediate state visible for hundreds of milliseconds to a poller.
    service = await startTestService(
      { CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "50", CLAWCALL_SANDBOX_RING_SECONDS: "2" },
      { engine },
    );
  });
  afterAll(() => service.dispose());

  const place = async (to: string, key?: string) => {
    const res = await service.request("POST", "/call", {
      key,
      body: { to, task: "Ask about opening hours." },
    });
    return res;
  };

  const cases = [
    { line: "0101", seen: ["queued", "ringing", "failed"], failReason: "busy", outcome: "busy" },
    { line: "0102", seen: ["queued", "ringing", "failed"], failReason: "no_answer", outcome: "no_answer" },
    { line: "0103", seen: ["queued", "ringing", "failed"], failReason: "call_rejected", outcome: "rejected" },
    { line: "0104", seen: ["queued", "failed"], failReason: "invalid_number", outcome: "invalid_number" },
    { line: "0105", seen: ["queued", "failed"], failReason: "unreachable", outcome: "unreachable" },
    {
      line: "0107",
      seen: ["queued", "ringing", "in_progress", "failed"],
      failReason: "network_error",
      outcome: "network_error",
    },
    {
      line: "0100",
      seen: ["queued", "ringing", "in_progress", "completed"],
      failReason: undefined,
      outcome: "answered",
    },
  ];

  it("each magic number ends in its documented state, through the documented states in order", async () => {
    const results = await Promise.all(
      cases.map(async (c) => {
        const created = await place(`+1212555${c.line}`);
        expect(created.status).toBe(201);
        expect(created.body.status).toBe("queued");
        return { c, ...(await pollUntilFinal(service, created.body.api_key, created.body.call_id)) };
      }),
    );
    for (const { c, seen, call } of results) {
      expect({ line: c.line, seen }).toEqual({ line: c.line, seen: c.seen });
      expect(CallViewSchema.parse(call)).toBeTruthy();
      expect(call.failReason).toBe(c.failReason);
      expect(call.outcome).toBe(c.outcome);
      expect(call.lifecycle).toBe("finalized");
      expect(call.timestamps.finalized_at).toBeTruthy();
      expect(call.outcome_detail.reason.code).toBeTruthy();
      const t = call.timestamps;
      expect(t.queued_at <= (t.dialing_at ?? t.finalized_at)).toBe(true);
      if (c.seen.includes("in_progress")) {
        expect(t.dialing_at <= t.answered_at && t.answered_at <= t.finalized_at).toBe(true);
        expect(call.talk_seconds).toBeGreaterThanOrEqual(0);
      } else expect(call.talk_seconds).toBeNull();
    }
  });

  it("a dropped media path keeps the transcript written before the drop", async () => {
    const talker = new ListeningEngine({
      lines: [{ role: "assistant", text: "Hello, this is an AI assistant." }],
    });
    const s = await startTestService({}, { engine: talker });
    try {
      const created = await s.request("POST", "/call", { body: { to: "+13125550107", task: "Say hello." } });
      const { call } = await pollUntilFinal(s, created.body.api_key, created.body.call_id);
      expect(call.failReason).toBe("network_error");
      expect(call.transcript.map((t: { text: string }) => t.text)).toEqual([
        "Hello, this is an AI assistant.",
      ]);
    } finally {
      await s.dispose();
    }
  });

  it("+1NPA5550106 is refused by the carrier: 502 dial_failed, nothing charged", async () => {
    const first = await place("+12125550100");
    const key = first.body.api_key;
    await pollUntilFinal(service, key, first.body.call_id);
    const before = (await service.request("GET", "/balance", { key })).body.balance_seconds;
    const res = await place("+12125550106", key);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("dial_failed");
    expect(res.body.api_key).toBe(key);
    expect((await service.request("GET", "/balance", { key })).body.balance_seconds).toBe(before);
  });

  it("an answered call hands its media to the agent, with real-time audio frames", async () => {
    const listener = new ListeningEngine({ talkSeconds: 1 });
    const s = await startTestService({}, { engine: listener });
    try {
      const created = await s.request("POST", "/call", { body: { to: "+12125550100", task: "Listen." } });
      const { call } = await pollUntilFinal(s, created.body.api_key, created.body.call_id);
      expect(listener.answered.map((a) => a.callId)).toEqual([call.id]);
      expect(call.outcome).toBe("answered");
      expect(listener.framesHeard).toBeGreaterThan(0);
    } finally {
      await s.dispose();
    }
  });
});

describe("an answered call with no voice agent", () => {
  it("ends at once as system_error with a plain reason, and is not charged", async () => {
    const service = await startTestService();
    try {
      const created = await service.request("POST", "/call", {
        body: { to: "+12125550100", task: "Confirm." },
      });
      const key = created.body.api_key;
      const { call } = await pollUntilFinal(service, key, created.body.call_id);
      expect(call.status).toBe("completed");
      expect(call.outcome).toBe("system_error");
      expect(call.outcome_detail.reason.message).toMatch(/voice agent is not available.*no language model/);
      expect(call.transcript).toEqual([]);
      expect((await service.request("GET", "/balance", { key })).body.balance_seconds).toBe(1200);
    } finally {
      await service.dispose();
    }
  });
});
