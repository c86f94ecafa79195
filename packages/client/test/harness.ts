import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_SPEECH_CACHE } from "../../server/test/helpers/speech-cache.ts";

/** The bin users run: TypeScript through tsx's loader. `serve` needs it (it loads the server package). */
export const CLI_BIN = fileURLToPath(new URL("../bin/clawcall.js", import.meta.url));

/**
 * The same CLI bundled to JavaScript by Vitest's global setup (scripts/build-cli.ts), from the source of
 * this run: it starts in a fraction of the time, which adds up over the dozens of commands these suites run.
 */
export const CLI_BUILT = fileURLToPath(
  new URL("../../../node_modules/.cache/clawcall-test/clawcall.mjs", import.meta.url),
);

export interface Sandbox {
  url: string;
  close(): Promise<void>;
}

/** The real service, in this process, on the sandbox network, with short ring times. */
export async function startSandbox(extraEnv: Record<string, string> = {}): Promise<Sandbox> {
  const dataDir = await mkdtemp(join(tmpdir(), "clawcall-e2e-data-"));
  const { startService } = await import("@clawcall/server");
  const service = await startService({
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      CLAWCALL_DATA_DIR: dataDir,
      CLAWCALL_SANDBOX_RING_SECONDS: "0.2",
      CLAWCALL_SANDBOX_SPEECH_CACHE: TEST_SPEECH_CACHE,
      CLAWCALL_LOG_LEVEL: "silent",
      ...extraEnv,
    },
  });
  return {
    url: service.url,
    async close() {
      await service.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A throwaway HOME/XDG_CONFIG_HOME so no test touches the real key file. */
export async function tempHome(): Promise<{
  home: string;
  keyPath: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}> {
  const home = await mkdtemp(join(tmpdir(), "clawcall-e2e-home-"));
  const config = join(home, "config");
  return {
    home,
    keyPath: join(config, "clawcall", "key.json"),
    env: { HOME: home, XDG_CONFIG_HOME: config },
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `clawcall` CLI in its own process (asynchronously: the service shares this event loop). */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith("CLAWCALL_") && k !== "HOME" && k !== "XDG_CONFIG_HOME",
    ),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BUILT, ...args], {
      env: { ...base, NO_COLOR: "1", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}
