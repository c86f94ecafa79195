import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/logger.ts";
import {
  type FakeLlmOutcome,
  type FakeLlmRequestView,
  type FakeOpenAi,
  startFakeOpenAi,
} from "../fakes/index.ts";
import { REAL_TIME } from "../helpers/real-time.ts";
import { pollUntilFinal, startTestService, type TestResponse, type TestService } from "../helpers/service.ts";
import { TASK } from "../scenarios/scenario-checks.ts";

const FREE_SECONDS = 1200;

/** What the fake model does on the call whose task carries this tag. */
const MODELS: Record<string, (view: FakeLlmRequestView) => FakeLlmOutcome> = {
  http500: () => ({ status: 500, message: "upstream exploded" }),
  cut: () => ({
    text: "Sure thing. Let me look into that for you right away.",
    cutAfterTokens: 4,
    tokensPerSecond: 20,
  }),
  hung: () => ({ hang: true }),
  slowHeaders: () => ({ text: "Thanks for waiting.", headersDelayMs: 20_000 }),
  noFirstToken: () => ({ text: "Thanks for waiting.", firstTokenMs: 20_000 }),
  malformed: (view) =>
    view.turns.at(-1)?.role === "tool" && /malformed/.test(view.turns.at(-1)!.text)
      ? { text: "Thank you, goodbye.", toolCalls: [{ name: "end_call", arguments: { reason: "task done" } }] }
      : { toolCalls: [{ name: "press_digits", arguments: '{"digits": "1' }] },
  polite: () => ({ text: "I see, thank you." }),
};

/**
 * Every way an answered call ends is told truthfully: its own reason code, who ended it, and the right
 * charge. A model that fails in any of the ways real ones do (an error answer, a cut stream, no headers,
 * no first token) ends the call politely as the service's failure, not charged and not "completed".
 */
describe("how an answered call ended is told truthfully", REAL_TIME, () => {
  let llm: FakeOpenAi;
  let service: TestService;
  let short: TestService;
  const logLines: string[] = [];

  beforeAll(async () => {
    llm = await startFakeOpenAi();
    llm.chat.setDefault((view) => {
      const tag = /\[case (\w+)\]/.exec(view.system)?.[1] ?? "polite";
      return (MODELS[tag] ?? MODELS.polite!)(view);
    });
    const env = {
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: llm.url,
      CLAWCALL_SANDBOX_RING_SECONDS: "0.3",
      CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "5",
    };
    const logger = createLogger("warn", { write: (line: string) => void logLines.push(line) });
    service = await startTestService(env, { logger });
    short = await startTestService({ ...env, CLAWCALL_MAX_CALL_SECONDS: "10" });
  });
  afterAll(async () => {
    await service?.dispose();
    await short?.dispose();
    await llm?.close();
  });

  async function place(on: TestService, line: string, tag: string) {
    const created = await on.request("POST", "/call", {
      body: { to: `+1415555${line}`, task: `${TASK} [case ${tag}]` },
    });
    expect(created.status).toBe(201);
    const key = created.body.api_key as string;
    const { call } = await pollUntilFinal(on, key, created.body.call_id, { timeoutMs: 90_000 });
    const balance = (await on.request("GET", "/balance", { key })).body.balance_seconds as number;
    const said = (call.transcript as { role: string; text: string }[])
      .filter((e) => e.role === "assistant")
      .map((e) => e.text);
    return { call, charged: FREE_SECONDS - balance, said };
  }

  async function failuresCounted(kind: string): Promise<number> {
    const metrics = await service.request("GET", "/metrics");
    const counts = metrics.text
      .split("\n")
      .filter((l) => l.startsWith("clawcall_agent_failures_total{") && l.includes(`kind="${kind}"`))
      .map((l) => Number(l.split(" ").at(-1)));
    return counts.reduce((a, b) => a + b, 0);
  }

  function expectAgentFailed(call: TestResponse["body"], charged: number, said: string[]) {
    expect(call.outcome).toBe("system_error");
    expect(call.outcome_detail.reason.code).toBe("agent_failed");
    expect(call.outcome_detail.hangup_source).toBe("system");
    expect(charged).toBe(0);
    // Ended politely: the last words are an apology, not silence.
    expect(said.at(-1)).toMatch(/technical trouble/i);
  }

  it.concurrent("a model answering HTTP 500 ends as agent_failed, logged at warn and counted", async () => {
    const { call, charged, said } = await place(service, "0100", "http500");
    expectAgentFailed(call, charged, said);
    expect(call.outcome_detail.reason.message).toMatch(/http_error/);
    expect(await failuresCounted("http_error")).toBeGreaterThanOrEqual(2);
    const warned = logLines.map((l) => JSON.parse(l)).filter((l) => l.kind === "http_error");
    expect(warned.length).toBeGreaterThanOrEqual(2);
    expect(warned[0]).toMatchObject({ level: 40, stage: "llm", provider: expect.stringContaining("openai") });
    // Provider and kind only: no transcript, task or number in any log line.
    expect(logLines.join("\n")).not.toMatch(/Jordan|appointment|\+1415555/);
  }, 120_000);

  it.concurrent("a stream cut mid-reply ends as agent_failed, with no retry that would say it twice", async () => {
    const { call, charged, said } = await place(service, "0100", "cut");
    expectAgentFailed(call, charged, said);
    expect(said.join(" ")).not.toContain("right away");
    expect(await failuresCounted("stream_cut")).toBeGreaterThanOrEqual(1);
  }, 120_000);

  for (const [tag, kind] of [
    ["hung", "slow_headers"],
    ["slowHeaders", "slow_headers"],
    ["noFirstToken", "no_first_token"],
  ] as const) {
    it.concurrent(`a model that never starts its reply (${tag}) gets one holding phrase, a retry, then agent_failed`, async () => {
      const { call, charged, said } = await place(service, "0100", tag);
      expectAgentFailed(call, charged, said);
      expect(said.filter((s) => /^One moment\.?$/.test(s))).toHaveLength(1);
      expect(await failuresCounted(kind)).toBeGreaterThanOrEqual(2);
    }, 120_000);
  }

  it.concurrent("malformed tool arguments are told to the model as malformed, and the call goes on", async () => {
    const { call, charged } = await place(service, "0100", "malformed");
    expect(call.outcome).toBe("answered");
    expect(call.outcome_detail.reason).toMatchObject({ code: "agent_ended", message: "task done" });
    expect(call.outcome_detail.hangup_source).toBe("caller");
    expect(charged).toBeGreaterThan(0);
    const failed = call.transcript.filter(
      (e: { role: string; tool?: string }) => e.role === "system" && e.tool,
    );
    expect(failed.map((e: { text: string }) => e.text)).toEqual([
      expect.stringMatching(/^The press_digits tool call failed: malformed arguments/),
    ]);
    const toldModel = llm.chat.requests.flatMap((r) => r.turns).filter((t) => t.role === "tool");
    expect(toldModel.some((t) => t.text.includes("malformed arguments"))).toBe(true);
    expect(toldModel.some((t) => t.text.includes("no keypad digits"))).toBe(false);
    expect(await failuresCounted("malformed_tool_call")).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it.concurrent("a silent line ends as silent_line and is charged", async () => {
    const { call, charged } = await place(service, "0115", "polite");
    expect(call.outcome).toBe("answered");
    expect(call.outcome_detail).toMatchObject({
      hangup_cause: "normal_clearing",
      hangup_source: "caller",
      reason: { code: "silent_line" },
    });
    expect(charged).toBeGreaterThan(0);
  }, 120_000);

  it.concurrent("a callee who hangs up ends as callee_hung_up", async () => {
    const { call } = await place(service, "0116", "polite");
    expect(call.outcome).toBe("answered");
    expect(call.outcome_detail).toMatchObject({
      hangup_cause: "normal_clearing",
      hangup_source: "callee",
      reason: { code: "callee_hung_up" },
    });
  }, 120_000);

  it.concurrent("the maximum call length ends as max_duration after a goodbye, and is charged", async () => {
    const { call, charged, said } = await place(short, "0110", "polite");
    expect(call.outcome).toBe("answered");
    expect(call.outcome_detail).toMatchObject({
      hangup_source: "system",
      reason: { code: "max_duration", title: "Maximum call length" },
    });
    expect(said.length).toBeGreaterThan(0);
    expect(charged).toBeGreaterThan(0);
    expect(charged).toBeLessThanOrEqual(10);
  }, 120_000);
});
