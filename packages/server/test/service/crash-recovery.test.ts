import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FAST_ENV, httpRequest } from "../helpers/service.ts";

const fixture = path.resolve(import.meta.dirname, "../fixtures/listening-service.ts");

/** Starts the service in a child process and resolves with its URL once it listens. */
function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", fixture], {
    env: {
      ...process.env,
      ...FAST_ENV,
      CLAWCALL_DATA_DIR: dataDir,
      CLAWCALL_SANDBOX_RING_SECONDS: "2",
      CLAWCALL_NODE_ID: "node-a",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, url: JSON.parse(line).url });
    });
    child.once("exit", (code) => reject(new Error(`service exited with ${code}`)));
  });
}

const waitFor = async (check: () => Promise<boolean>, what: string) => {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe("a process killed during calls", () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const c of children) c.kill("SIGKILL");
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("leaves every call finalized and every balance equal to the allowance minus metered talk", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-crash-"));
    dirs.push(dataDir);
    const first = await startChild(dataDir);
    children.push(first.child);

    const placed: { key: string; id: string }[] = [];
    for (const to of ["+12125550100", "+13125550100", "+12125550102", "+14155550113"]) {
      const res = await httpRequest(first.url, "POST", "/call", { body: { to, task: "Hold the line." } });
      expect(res.status).toBe(201);
      placed.push({ key: res.body.api_key, id: res.body.call_id });
    }
    // Wait until the answered ones are in progress, and long enough for talk time to be recorded.
    await waitFor(async () => {
      const states = await Promise.all(
        placed.map(
          async (p) => (await httpRequest(first.url, "GET", `/call/${p.id}`, { key: p.key })).body.status,
        ),
      );
      return states.filter((s) => s === "in_progress").length === 3;
    }, "three calls in progress");
    await new Promise((r) => setTimeout(r, 6_000));
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));

    const second = await startChild(dataDir);
    children.push(second.child);
    let charged = 0;
    for (const p of placed) {
      const call = (await httpRequest(second.url, "GET", `/call/${p.id}`, { key: p.key })).body;
      expect(call.lifecycle).toBe("finalized");
      expect(call.status).toBe("failed");
      expect(call.failReason).toBe("network_error");
      expect(call.outcome_detail.reason.code).toBe("process_restart");
      const balance = (await httpRequest(second.url, "GET", "/balance", { key: p.key })).body.balance_seconds;
      expect(balance).toBe(1200 - (call.talk_seconds ?? 0));
      charged += call.talk_seconds ?? 0;
    }
    // The answered calls were metered up to their last heartbeat before the kill.
    expect(charged).toBeGreaterThan(0);
    // Two service processes start here, each compiling the server on a fresh checkout: about 20 s on a
    // quiet machine, so the default 30 s leaves too little room on a busy one.
  }, 90_000);
});
