import { afterEach, describe, expect, it } from "vitest";
import { EXIT } from "../src/cli/exit-codes.ts";
import { runCli, type Sandbox, startSandbox, tempHome } from "./harness.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setup(serviceEnv: Record<string, string>) {
  const sandbox: Sandbox = await startSandbox(serviceEnv);
  const home = await tempHome();
  cleanups.push(sandbox.close, home.cleanup);
  return {
    sandbox,
    env: { ...home.env, CLAWCALL_BASE_URL: sandbox.url, CLAWCALL_NOW: "2026-03-04T17:00:00Z" },
  };
}

const args = (to: string) => ["call", "--to", to, "--task", "Ask about Saturday hours."];

describe("clawcall when the service says no", () => {
  it("out of free minutes: exit 4, both personal links verbatim, the key kept for after sign-up", async () => {
    const { env } = await setup({ CLAWCALL_FREE_SECONDS: "0" });
    const run = await runCli([...args("+12125550101"), "--wait"], env);
    expect(run.code).toBe(EXIT.quota);
    const key = (await runCli(["key", "show"], env)).stdout.trim();
    expect(key).toMatch(/^clawcall_sk_/);
    expect(run.stderr).toContain("Error (quota_exceeded)");
    expect(run.stderr).toMatch(new RegExp(`Sign up: \\S*token=${key}`));
    expect(run.stderr).toMatch(new RegExp(`Sign in: \\S*token=${key}`));
  });

  it("too many calls at once: exit 5, and an unknown call id: exit 7", async () => {
    const { env } = await setup({
      CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "1",
      CLAWCALL_SANDBOX_RING_SECONDS: "60",
    });
    const first = await runCli([...args("+12125550102"), "--json"], env);
    expect(first.code).toBe(EXIT.ok);
    const second = await runCli([...args("+12125550102"), "--json"], env);
    expect(JSON.parse(second.stdout).error.code).toBe("too_many_active_calls");
    expect(second.code).toBe(EXIT.throttled);
    expect((await runCli(["hangup", JSON.parse(first.stdout).call_id], env)).code).toBe(EXIT.ok);
    expect((await runCli(["status", "no-such-call"], env)).code).toBe(EXIT.not_found);
  });
});
