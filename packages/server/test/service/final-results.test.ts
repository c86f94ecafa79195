import { type CallResult, CallViewSchema } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnsweredCall, ConversationEngine, ConversationResult } from "../../src/calls/conversation.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

// biome-ignore lint/suspicious/noExplicitAny: SSE payloads read as parsed JSON
type Json = any;

const RESULT: CallResult = {
  status: "achieved",
  summary: "Achieved: I called +12125550100 and they said hello back.",
  facts: [{ text: "They answered the greeting.", turns: [0] }],
  missing_info: [],
  next_steps: [],
};

/**
 * An agent that is slow to stop, the way a real one is: once the call has ended it still adds its last
 * line and works out what came of the call, and a line it tries to add after it returned (as a stray
 * timer would) must not reach the final call.
 */
class SlowToStopEngine implements ConversationEngine {
  lateLineTried!: Promise<void>;
  private markLateLineTried = () => {};

  constructor() {
    this.lateLineTried = new Promise((r) => (this.markLateLineTried = r));
  }

  unavailableReason(): string | null {
    return null;
  }

  async run(call: AnsweredCall): Promise<ConversationResult> {
    call.media.attach({ onAudio: () => {} });
    call.appendTranscript({ role: "assistant", text: "Hello, this is an AI assistant." });
    await new Promise<void>((r) => call.signal.addEventListener("abort", () => r(), { once: true }));
    await new Promise((r) => setTimeout(r, 300));
    call.appendTranscript({ role: "system", text: "The call ended; the agent stopped." });
    setTimeout(() => {
      call.appendTranscript({ role: "assistant", text: "A line after the call was final." });
      this.markLateLineTried();
    }, 300);
    return {
      endReason: "the call ended",
      latency: {
        turns: 1,
        turn_p50_ms: 400,
        turn_p95_ms: 400,
        barge_ins: 0,
        barge_in_p50_ms: null,
        barge_in_p95_ms: null,
      },
      result: RESULT,
    };
  }
}

/** Reads a call's event stream to its end (the server closes it after the final status). */
async function readEvents(service: TestService, key: string, callId: string): Promise<Json[]> {
  const res = await fetch(`${service.url}/call/${callId}/events`, { headers: { "x-api-key": key } });
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((b) => b.startsWith("event:"))
    .map((b) => JSON.parse(b.split("\ndata: ")[1] ?? "{}"));
}

describe("a final call is settled", () => {
  let service: TestService;
  const engine = new SlowToStopEngine();

  beforeAll(async () => {
    service = await startTestService({ CLAWCALL_SANDBOX_RING_SECONDS: "0.3" }, { engine });
  });
  afterAll(() => service.dispose());

  it("is finalized only after its conversation stopped, and nothing changes after that", async () => {
    const created = await service.request("POST", "/call", {
      body: { to: "+12125550100", task: "Say hello." },
    });
    const { call_id: id, api_key: key } = created.body;
    const stream = readEvents(service, key, id);
    for (;;) {
      const live = await service.request("GET", `/call/${id}`, { key });
      if (live.body.transcript?.length) break;
      await new Promise((r) => setTimeout(r, 25));
    }

    const hangup = await service.request("POST", `/call/${id}/hangup`, { key });
    expect(hangup.body.status).toBe("completed");
    const final = (await service.request("GET", `/call/${id}`, { key })).body;
    expect(CallViewSchema.parse(final)).toBeTruthy();
    expect(final.lifecycle).toBe("finalized");
    expect(final.transcript.map((e: Json) => e.text)).toEqual([
      "Hello, this is an AI assistant.",
      "The call ended; the agent stopped.",
    ]);
    expect(final._meta.latency).toMatchObject({ turns: 1 });
    expect(final.result).toEqual(RESULT);
    expect(final.outcome_detail.hangup_source).toBe("caller");

    // The stream told the same story and closed after the final status, with the result right before it.
    const events = await stream;
    expect(events.at(-1)).toMatchObject({ type: "status", status: "completed", lifecycle: "finalized" });
    expect(events.at(-2)).toEqual({ type: "result", result: RESULT });
    expect(events.filter((e) => e.type === "transcript").map((e) => e.entry)).toEqual(final.transcript);

    await engine.lateLineTried;
    const later = (await service.request("GET", `/call/${id}`, { key })).body;
    expect({ ...later, _meta: { ...later._meta, balance_seconds: 0 } }).toEqual({
      ...final,
      _meta: { ...final._meta, balance_seconds: 0 },
    });
    // A stream opened on the final call tells it whole, in the same order.
    expect(await readEvents(service, key, id)).toEqual([
      ...events.filter((e) => e.type === "transcript"),
      { type: "result", result: RESULT },
      expect.objectContaining({ type: "status", lifecycle: "finalized" }),
    ]);
  });

  it("a call nobody answered is not reached, for its reason, with the number called", async () => {
    const created = await service.request("POST", "/call", {
      body: { to: "+12125550101", task: "Say hello." },
    });
    const { call } = await pollUntilFinal(service, created.body.api_key, created.body.call_id);
    expect(call.failReason).toBe("busy");
    expect(call.result).toEqual({
      status: "not_reached",
      summary: "Not reached: I called +12125550101 and the line was busy.",
      facts: [],
      missing_info: [],
      next_steps: ["Offer to retry in a moment."],
    });
    const events = await readEvents(service, created.body.api_key, call.id);
    expect(events.at(-2)).toEqual({ type: "result", result: call.result });
  });
});

describe("an answered call with no voice agent", () => {
  it("has no result, and says why", async () => {
    const service = await startTestService();
    try {
      const created = await service.request("POST", "/call", {
        body: { to: "+12125550100", task: "Confirm." },
      });
      const { call } = await pollUntilFinal(service, created.body.api_key, created.body.call_id);
      expect(call.outcome).toBe("system_error");
      expect(call.result).toBeNull();
      expect(call.result_unavailable).toMatch(/no language model/);
    } finally {
      await service.dispose();
    }
  });
});
