/**
 * Idle memory of the embedded default: the service started as `npm start` starts it (the prestart build,
 * then plain node on the built server), SQLite and the sandbox in a fresh data directory, no model
 * configured. Measured twice: on the first start, once the sandbox has synthesised every persona line
 * and let its flite worker go; and on a restart over the same data directory, whose lines come from disk.
 * Prints the server process's resident set (from /proc, as `ps -o rss` shows it) and its V8 heap.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { personaUtterances } from "../packages/server/src/sandbox/personas/lines.ts";
import { BUILT_MAIN, buildServer, START_FLAGS } from "./built-server.ts";
import { outputMatch } from "./child-output.ts";

const root = path.resolve(import.meta.dirname, "..");
// The flite worker stays this long after its last line (sandbox/speech/flite.ts), plus a margin.
const WORKER_IDLE_MS = 15_000;
const SETTLE_MS = 10_000;
const LONGEST_WARM_UP_MS = 180_000;

export interface IdleMemory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

export interface IdleResult {
  firstStart: IdleMemory;
  restart: IdleMemory;
  loadAverage: number;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

/** The resident set of one process as the kernel counts it, in MB. */
function residentMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Math.round(Number(kb) / 1024);
}

function start(dataDir: string): ChildProcess {
  // Answers the bench's question over the IPC channel: the heap is only visible from inside.
  const probe = `data:text/javascript,process.on("message",()=>process.send(process.memoryUsage()))`;
  return spawn(process.execPath, [...START_FLAGS, `--import=${probe}`, BUILT_MAIN], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      CLAWCALL_DATA_DIR: dataDir,
      CLAWCALL_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
}

async function measure(child: ChildProcess): Promise<IdleMemory> {
  const usage = await new Promise<NodeJS.MemoryUsage>((resolve) => {
    child.once("message", (m) => resolve(m as NodeJS.MemoryUsage));
    child.send("memory");
  });
  return {
    rssMb: residentMb(child.pid!),
    heapUsedMb: mb(usage.heapUsed),
    heapTotalMb: mb(usage.heapTotal),
    externalMb: mb(usage.external),
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** Waits until the sandbox has written every persona line to its speech cache. */
async function warmedUp(dataDir: string): Promise<void> {
  const lines = new Set(personaUtterances().map((u) => `${u.voice}\u0000${u.text}`)).size;
  const dir = path.join(dataDir, "sandbox-speech");
  const deadline = Date.now() + LONGEST_WARM_UP_MS;
  for (;;) {
    const written = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".ulaw")).length : 0;
    if (written >= lines) return;
    if (Date.now() > deadline) throw new Error(`speech warm-up wrote ${written} of ${lines} lines`);
    await sleep(500);
  }
}

export async function runIdleMemoryBench(): Promise<IdleResult> {
  buildServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-bench-idle-"));
  try {
    const first = start(dataDir);
    let firstStart: IdleMemory;
    try {
      await outputMatch(first, /listening on http/, "the service", 60_000);
      await warmedUp(dataDir);
      await sleep(WORKER_IDLE_MS);
      firstStart = await measure(first);
    } finally {
      await stop(first);
    }
    const again = start(dataDir);
    try {
      await outputMatch(again, /listening on http/, "the service", 60_000);
      await sleep(SETTLE_MS);
      const restart = await measure(again);
      return { firstStart, restart, loadAverage: Math.round(os.loadavg()[0]! * 10) / 10 };
    } finally {
      await stop(again);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const line = (m: IdleMemory) =>
  `RSS ${m.rssMb} MB (heap ${m.heapUsedMb}/${m.heapTotalMb} MB, external ${m.externalMb} MB)`;

export function formatIdleMemory(r: IdleResult): string {
  return `idle \`npm start\` (SQLite, sandbox, no model): first start ${line(r.firstStart)}; restart ${line(r.restart)} (load ${r.loadAverage})`;
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(formatIdleMemory(await runIdleMemoryBench()));
