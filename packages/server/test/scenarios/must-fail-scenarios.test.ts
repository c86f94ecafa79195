import type { SandboxVerdict } from "@clawcall/contract";
import { describe, expect, it } from "vitest";
import { REAL_TIME } from "../helpers/real-time.ts";
import { pollUntilFinal } from "../helpers/service.ts";
import { scenarioService, TASK } from "./scenario-checks.ts";
import { createScriptedAgent } from "./scripted-model.ts";

/**
 * The callees are fair judges: an agent that never says why it calls, or talks to a phone menu instead
 * of pressing keys, gets nothing done, and the verdict says so, over the real service and voice path.
 */
describe("a poor agent gets nothing done", REAL_TIME, () => {
  const scenario = scenarioService(createScriptedAgent({ hidesPurpose: true, talksToMenus: true }), {
    CLAWCALL_SANDBOX_RING_SECONDS: "0.3",
    CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "5",
  });

  async function verdictOf(line: string): Promise<SandboxVerdict> {
    const service = scenario.service();
    const created = await service.request("POST", "/call", { body: { to: `+1415555${line}`, task: TASK } });
    expect(created.status).toBe(201);
    const { call } = await pollUntilFinal(service, created.body.api_key, created.body.call_id, {
      timeoutMs: 120_000,
    });
    expect(call.status).toBe("completed");
    return call._meta.sandbox.verdict;
  }

  it.concurrent("0100 confirms nothing for an agent that never states its purpose", async () => {
    const verdict = await verdictOf("0100");
    expect(verdict.actions).toEqual([]);
    expect(verdict.nothing_done).toMatch(/never/);
  }, 150_000);

  it.concurrent("0113 does not put through a caller that gives a name but no reason", async () => {
    const verdict = await verdictOf("0113");
    expect(verdict.actions).toEqual([{ action: "declined", why: "the caller never said why it called" }]);
    expect(verdict.nothing_done).toBe("the caller never said why it called");
  }, 150_000);

  it.concurrent("0109 understands no words spoken over its prompt, only keys", async () => {
    const verdict = await verdictOf("0109");
    expect(verdict.actions).toEqual([]);
    expect(verdict.nothing_done).toBe("no menu option was chosen");
  }, 150_000);
});
