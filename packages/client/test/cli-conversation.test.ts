import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAi, startFakeOpenAi } from "../../server/test/fakes/index.ts";
import { scriptedAgentModel } from "../../server/test/scenarios/scripted-model.ts";
import { EXIT } from "../src/cli/exit-codes.ts";
import { runCli, type Sandbox, startSandbox, tempHome } from "./harness.ts";

/**
 * The CLI against the real service holding real sandbox conversations: the voice agent speaks and hears
 * over the sandbox's audio, with a scripted model behind a fake OpenAI-compatible API.
 */
describe("clawcall call --wait with the voice agent", () => {
  let llm: FakeOpenAi;
  let sandbox: Sandbox;
  let home: Awaited<ReturnType<typeof tempHome>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    llm = await startFakeOpenAi();
    llm.chat.setDefault(scriptedAgentModel);
    sandbox = await startSandbox({
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: llm.url,
      CLAWCALL_SANDBOX_RING_SECONDS: "0.3",
    });
    home = await tempHome();
    env = { ...home.env, CLAWCALL_BASE_URL: sandbox.url, CLAWCALL_NOW: "2026-03-04T17:00:00Z" };
  });
  afterAll(async () => {
    await sandbox?.close();
    await llm?.close();
    await home?.cleanup();
  });

  it("a completed call leads with what came of it and the number, then prints its transcript", async () => {
    const run = await runCli(
      ["call", "--to", "+12125550100", "--task", "Confirm Jordan Lee's appointment on Tuesday.", "--wait"],
      env,
    );
    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout.split("\n");
    // The result's summary, from the line where the desk confirmed it, then the call's status.
    expect(lines[0]).toMatch(/^Done: I called \+12125550100; it is confirmed/);
    expect(lines[1]).toMatch(/^Completed: called \+12125550100/);
    expect(lines[2]).toBe("Learned:");
    expect(lines[3]).toMatch(/^ {2}- .*confirmed for Tuesday.* \(transcript line \d+\)$/);
    expect(run.stdout).toContain("Transcript:");
    expect(run.stdout).toContain("Good morning, Maple Street Dental");
    expect(run.stdout).toMatch(/AI assistant/);
    expect(run.stdout).toMatch(/Recording \(expires about 10 minutes after the call\): http/);
  }, 120_000);

  it("a call dropped mid-way is placed once more, silently, and reported as failing twice", async () => {
    const run = await runCli(
      ["call", "--to", "+12125550107", "--task", "Say hello.", "--wait", "--json"],
      env,
    );
    const body = JSON.parse(run.stdout);
    expect(body.retried).toHaveLength(1);
    expect(body.retried[0].failReason).toBe("network_error");
    expect(body.call.failReason).toBe("network_error");
    expect(run.code).toBe(EXIT.transient_call_failure);
  }, 120_000);
});
