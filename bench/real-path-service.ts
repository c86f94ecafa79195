/**
 * The service for the real-path bench, started as users start it (`npm start`: the server built to plain
 * JavaScript, then run by node) in its own process, with the environment pointing at the emulated carrier
 * and the vendor fakes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../packages/server/test/helpers/service.ts";
import { BUILT_MAIN, buildServer, START_FLAGS } from "./built-server.ts";

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-bench-real-"));
  const root = path.resolve(import.meta.dirname, "..");
  const port = await freePort();
  buildServer();
  // e.g. BENCH_SERVICE_NODE_FLAGS="--cpu-prof --trace-gc" to look inside the service while it is measured.
  const flags = (process.env["BENCH_SERVICE_NODE_FLAGS"] ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...START_FLAGS, ...flags, BUILT_MAIN], {
    cwd: root,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? "",
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      CLAWCALL_PUBLIC_URL: `http://127.0.0.1:${port}`,
      CLAWCALL_DATA_DIR: dataDir,
      CLAWCALL_LOG_LEVEL: process.env["BENCH_LOG_LEVEL"] ?? "warn",
      CLAWCALL_REQUESTS_PER_MINUTE: "100000",
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
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`the service did not start in 30 s:\n${out}`)), 30_000);
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the service exited with ${code}:\n${out}`));
      });
    });
    // Keep draining its output so a chatty service never blocks on a full pipe.
    if (process.env["BENCH_LOG_LEVEL"]) child.stdout?.pipe(process.stderr);
    else child.stdout?.resume();
    return { url, child, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
