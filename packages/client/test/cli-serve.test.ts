import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { expect, it } from "vitest";
import { TEST_SPEECH_CACHE } from "../../server/test/helpers/speech-cache.ts";
import { EXIT } from "../src/cli/exit-codes.ts";
import { CLI_BIN, runCli, tempHome } from "./harness.ts";

it("`clawcall serve` runs the service until SIGTERM, and the CLI can call through it", async ({
  onTestFinished,
}) => {
  const dataDir = await mkdtemp(join(tmpdir(), "clawcall-serve-"));
  const home = await tempHome();
  const child = spawn(process.execPath, [CLI_BIN, "serve", "--json"], {
    env: {
      PATH: process.env.PATH ?? "",
      ...home.env,
      PORT: "0",
      HOST: "127.0.0.1",
      CLAWCALL_DATA_DIR: dataDir,
      CLAWCALL_SANDBOX_RING_SECONDS: "0.2",
      CLAWCALL_SANDBOX_SPEECH_CACHE: TEST_SPEECH_CACHE,
      CLAWCALL_LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Read stderr throughout: a full pipe would stall the service, and a failure shows what it said.
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  // Also when the test times out, which abandons the body below without running its finally.
  onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  try {
    let text = "";
    for await (const line of createInterface({ input: child.stdout })) {
      text += line;
      if (line.startsWith("}")) break;
    }
    expect(text, `clawcall serve printed no address; stderr: ${stderr}`).toMatch(/^\{.*\}$/);
    const { url } = JSON.parse(text) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const run = await runCli(
      ["call", "--to", "+12125550101", "--task", "Ask about Saturday.", "--wait", "--yes"],
      {
        ...home.env,
        CLAWCALL_BASE_URL: url,
      },
    );
    expect(run.code, run.stdout + run.stderr).toBe(EXIT.busy);
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(code, `clawcall serve after SIGTERM; stderr: ${stderr}`).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
    await home.cleanup();
  }
  // Two CLI processes start here, each loading the service from source: slow on a busy machine.
}, 90_000);
