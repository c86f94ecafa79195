import { afterEach, describe, expect, it } from "vitest";
import type { AnsweredCall, ConversationEngine, ConversationResult } from "../../src/calls/conversation.ts";
import type { BridgeResult } from "../../src/telephony/carrier.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

/** A stand-in agent that asks for the handoff as soon as the call is answered, and reports how it went. */
class HandoffAtOnce implements ConversationEngine {
  readonly results: BridgeResult[] = [];
  unavailableReason(): string | null {
    return null;
  }
  async run(call: AnsweredCall): Promise<ConversationResult> {
    call.media.attach({ onAudio: () => {} });
    const result = await call.bridge();
    this.results.push(result);
    if (!result.ok) await call.hangup();
    return { endReason: result.ok ? "handed off" : "handoff failed" };
  }
}

const body = { to: "+12125550100", task: "Confirm, then connect me.", bridge_number: "+13125550112" };

describe("a live handoff takes a line of its own from the pool", () => {
  let service: TestService | undefined;
  afterEach(async () => {
    await service?.dispose();
    service = undefined;
  });

  it("with every line in use, the handoff fails cleanly and says why", async () => {
    const engine = new HandoffAtOnce();
    service = await startTestService({ CLAWCALL_SANDBOX_POOL_SIZE: "1" }, { engine });
    const created = await service.request("POST", "/call", { body });
    expect(created.status).toBe(201);
    await pollUntilFinal(service, created.body.api_key, created.body.call_id);
    expect(engine.results).toEqual([
      { ok: false, reason: "failed", message: "no free line for the handoff: every channel is in use" },
    ]);
    // The call's own line was freed when it ended.
    expect((await service.request("POST", "/call", { body: { to: "+12125550101", task: "x" } })).status).toBe(
      201,
    );
  });

  it("a connected handoff holds its line until the call ends", async () => {
    const engine = new HandoffAtOnce();
    service = await startTestService(
      // The bridged parties talk for two ring periods (4 s): the checks below happen well within that.
      { CLAWCALL_SANDBOX_POOL_SIZE: "2", CLAWCALL_SANDBOX_RING_SECONDS: "2" },
      { engine },
    );
    const created = await service.request("POST", "/call", { body });
    const key = created.body.api_key;
    for (let i = 0; i < 200 && engine.results.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(engine.results).toEqual([{ ok: true }]);
    // Two lines for one call: none is left for another.
    const refused = await service.request("POST", "/call", { body: { to: "+12125550101", task: "x" } });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("number_pool_exhausted");
    await service.request("POST", `/call/${created.body.call_id}/hangup`, { key });
    await pollUntilFinal(service, key, created.body.call_id);
    for (const to of ["+12125550101", "+12125550101"]) {
      expect((await service.request("POST", "/call", { body: { to, task: "x" } })).status).toBe(201);
    }
  });
});
