import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../src/cli/exit-codes.ts";
import { runCli, type Sandbox, startSandbox, tempHome } from "./harness.ts";

let sandbox: Sandbox;
let home: Awaited<ReturnType<typeof tempHome>>;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox();
  home = await tempHome();
  // A weekday noon in New York, so the business-hours warning stays out of these reports.
  env = { ...home.env, CLAWCALL_BASE_URL: sandbox.url, CLAWCALL_NOW: "2026-03-04T17:00:00Z" };
});
afterAll(async () => {
  await sandbox?.close();
  await home?.cleanup();
});

const call = (to: string, ...extra: string[]) =>
  runCli(
    ["call", "--to", to, "--task", "Ask whether the office is open on Saturday.", "--wait", ...extra],
    env,
  );

describe("clawcall call --wait on the sandbox", () => {
  it("reports a busy line first, with the number, and exits with the busy code", async () => {
    const run = await call("+12125550101");
    // What came of the call leads, then the call's own status.
    expect(run.stdout.split("\n").slice(0, 2)).toEqual([
      "Not reached: I called +12125550101 and the line was busy.",
      "Busy: called +12125550101. The line was busy.",
    ]);
    expect(run.stdout).toContain("Next: Offer to retry in a moment.");
    expect(run.code).toBe(EXIT.busy);
  });

  it.each([
    ["+12125550102", EXIT.no_answer, "No answer: called +12125550102. No one picked up."],
    ["+12125550103", EXIT.rejected, "Call rejected: called +12125550103. The call was declined."],
    [
      "+12125550104",
      EXIT.bad_number,
      "Invalid number: called +12125550104. That number doesn't seem to be valid.",
    ],
    [
      "+12125550105",
      EXIT.bad_number,
      "Unreachable: called +12125550105. That number appears to be out of service.",
    ],
  ])("%s ends with its own report and exit code", async (to, code, headline) => {
    const run = await call(to);
    expect(run.stdout.split("\n")[0]).toMatch(new RegExp(`^Not reached: I called \\${to} and `));
    expect(run.stdout.split("\n")[1]).toBe(headline);
    expect(run.code).toBe(code);
  });

  it("retries a refused dial once, then reports dial_failed as the service being unavailable", async () => {
    const run = await call("+12125550106");
    expect(run.stderr).toContain("Error (dial_failed)");
    expect(run.code).toBe(EXIT.unavailable);
    const list = await runCli(["calls", "--json"], env);
    const placed = (JSON.parse(list.stdout).calls as { to: string }[]).filter((c) => c.to === "+12125550106");
    // A refused dial creates no call: nothing to list, nothing charged.
    expect(placed.length).toBeLessThanOrEqual(2);
  });

  // This sandbox has no language model, so an answered call is ended by the service at once.
  it("says plainly when the service itself ended an answered call", async () => {
    const run = await call("+12125550100");
    expect(run.stdout.split("\n")[0]).toMatch(/^Call to \+12125550100 ended by a service problem: \S/);
    expect(run.stdout.split("\n")[1]).toMatch(/^Result: none \(.*no language model/);
    expect(run.code).toBe(EXIT.system_error);
  });

  it("an answered call leads with the number and ends with the code its outcome calls for", async () => {
    const run = await call("+12125550100", "--json");
    const { call: view } = JSON.parse(run.stdout);
    expect(view).toMatchObject({ to: "+12125550100", outcome: "system_error" });
    expect(run.code).toBe(EXIT.system_error);
    const text = await runCli(["status", view.call_id], env);
    expect(text.stdout.split("\n")[0]).toContain("+12125550100");
  });

  it("refuses a malformed number with the usage code and the service's message", async () => {
    const run = await runCli(["call", "--to", "+1212555010", "--task", "x"], env);
    expect(run.stderr).toContain("Error (invalid_phone)");
    expect(run.code).toBe(EXIT.usage);
  });

  it("refuses an unknown voice before anything is sent", async () => {
    const run = await runCli(["call", "--to", "+12125550101", "--task", "x", "--voice", "Jessica"], env);
    expect(run.stderr).toContain("Allowed choices are jessica, sarah, chris, eric");
    expect(run.code).toBe(EXIT.usage);
  });

  it("tells a service that is not there apart from a failed call", async () => {
    const run = await runCli(["balance"], { ...env, CLAWCALL_BASE_URL: "http://127.0.0.1:9" });
    expect(run.stderr).toContain("Error (connection_error)");
    expect(run.code).toBe(EXIT.unavailable);
  });

  it("shows the balance and lists calls without ever printing the key", async () => {
    const balance = await runCli(["balance"], env);
    expect(balance.stdout).toMatch(/^Balance: .* of call time \(free tier\)\./);
    const calls = await runCli(["calls", "--limit", "3"], env);
    expect(calls.stdout.trim().split("\n")).toHaveLength(3);
    const key = (await runCli(["key", "show"], env)).stdout.trim();
    for (const run of [balance, calls]) expect(run.stdout + run.stderr).not.toContain(key);
  });
  it("hangs up a ringing call, which then reports cancelled", async () => {
    // Its own network with a long ring, so the hang-up always lands while the phone is still ringing.
    const slow = await startSandbox({ CLAWCALL_SANDBOX_RING_SECONDS: "60" });
    // Keys belong to one service: this one gets its own key file.
    const slowHome = await tempHome();
    const slowEnv = { ...env, ...slowHome.env, CLAWCALL_BASE_URL: slow.url };
    try {
      const placed = await runCli(["call", "--to", "+12125550102", "--task", "x", "--json"], slowEnv);
      const { call_id } = JSON.parse(placed.stdout);
      const hangup = await runCli(["hangup", call_id, "--json"], slowEnv);
      expect(hangup.code).toBe(0);
      const status = await runCli(["status", call_id, "--wait", "--json"], slowEnv);
      const view = JSON.parse(status.stdout).call;
      expect(view.status).toBe("failed");
      expect(view.failReason).toBe("cancelled");
      expect(status.code).toBe(EXIT.cancelled);
    } finally {
      await slow.close();
      await slowHome.cleanup();
    }
  });
});
