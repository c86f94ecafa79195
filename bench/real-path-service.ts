/**
 * The service for the benches that measure it from outside, started as users start it (`npm start`: the
 * server built to plain JavaScript, then run by node) in its own process: the real-path bench points its
 * environment at the emulated carrier and the vendor fakes, the polling bench at the sandbox.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../packages/server/test/helpers/service.ts";
import { BUILT_MAIN, buildServer, START_FLAGS, serviceCommand } from "./built-server.ts";
import { outputMatch } from "./child-output.ts";

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-bench-real-"));
  const root = path.resolve(import.meta.dirname, "..");
  const port = await freePort();
  // BENCH_SERVICE_ROOT=<another checkout>: its service instead of this one (see serviceCommand).
  const otherRoot = process.env["BENCH_SERVICE_ROOT"];
  let start = { cwd: root, args: [...START_FLAGS, BUILT_MAIN] };
  if (otherRoot) start = serviceCommand(path.resolve(otherRoot));
  else buildServer();
  // BENCH_CPU_PROFILE=<folder> writes the service's V8 CPU profile there when it stops (node refuses
  // --cpu-prof in NODE_OPTIONS); open it in Chrome's DevTools or any .cpuprofile viewer. Other node flags
  // for a look inside (e.g. --trace-gc): BENCH_SERVICE_NODE_FLAGS.
  const profile = process.env["BENCH_CPU_PROFILE"];
  const profiling = profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profile)}`] : [];
  const flags = (process.env["BENCH_SERVICE_NODE_FLAGS"] ?? "").split(/\s+/).filter(Boolean);
  const [entry] = start.args.slice(-1);
  const child = spawn(process.execPath, [...start.args.slice(0, -1), ...profiling, ...flags, entry!], {
    cwd: start.cwd,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? "",
      CLAWCALL_REQUESTS_PER_MINUTE: "100000",
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      CLAWCALL_PUBLIC_URL: `http://127.0.0.1:${port}`,
      CLAWCALL_DATA_DIR: dataDir,
      CLAWCALL_LOG_LEVEL: process.env["BENCH_LOG_LEVEL"] ?? "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await outputMatch(child, /listening on (http:\/\/\S+)/, "the service", 30_000);
    // Keep draining its output so a chatty service never blocks on a full pipe.
    if (process.env["BENCH_LOG_LEVEL"]) child.stdout?.pipe(process.stderr);
    else child.stdout?.resume();
    return { url, child, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
