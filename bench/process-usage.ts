/**
 * What a process costs, as the kernel counts it: CPU time from /proc/<pid>/stat and the resident set
 * from /proc/<pid>/status, for the process itself and, apart, for the processes it started (the
 * sandbox's pocketsphinx recognisers run as children of the service, one per call).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

export interface UsageSample {
  at: number;
  /** CPU seconds (user + system) of the process. */
  cpuSeconds: number;
  /** CPU seconds of its descendants alive at the sample. */
  childCpuSeconds: number;
  rssMb: number;
  childRssMb: number;
  children: number;
}

function stat(pid: number): { ppid: number; cpuSeconds: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields are counted after its closing one.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      ppid: Number(fields[1]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}

function residentMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) parents.set(Number(name), s.ppid);
  }
  const found: number[] = [];
  const inTree = new Set([root]);
  // Parents have lower ids only mostly (ids wrap), so sweep until nothing new joins.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!inTree.has(pid) && inTree.has(ppid)) {
        inTree.add(pid);
        found.push(pid);
        grew = true;
      }
    }
  }
  return found;
}

export function sampleUsage(pid: number): UsageSample {
  const own = stat(pid);
  if (!own) throw new Error(`process ${pid} is gone`);
  const kids = descendants(pid);
  let childCpuSeconds = 0;
  let childRssMb = 0;
  for (const kid of kids) {
    childCpuSeconds += stat(kid)?.cpuSeconds ?? 0;
    childRssMb += residentMb(kid);
  }
  return {
    at: performance.now(),
    cpuSeconds: own.cpuSeconds,
    childCpuSeconds,
    rssMb: residentMb(pid),
    childRssMb,
    children: kids.length,
  };
}

/** CPU over the span between two samples, in percent of one core. */
export function cpuPercent(from: UsageSample, to: UsageSample): number {
  return ((to.cpuSeconds - from.cpuSeconds) / ((to.at - from.at) / 1000)) * 100;
}

/**
 * Children's CPU over the span, in percent of one core: a child that ended inside the span is missed,
 * so this is a lower bound when calls end in it.
 */
export function childCpuPercent(from: UsageSample, to: UsageSample): number {
  return (Math.max(0, to.childCpuSeconds - from.childCpuSeconds) / ((to.at - from.at) / 1000)) * 100;
}

export const loadAverage = () => Math.round(os.loadavg()[0]! * 10) / 10;

/** Waits until the process uses less than `percent` of a core over a second (its start-up work done). */
export async function untilQuiet(pid: number, percent: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const a = sampleUsage(pid);
    await sleep(1000);
    if (cpuPercent(a, sampleUsage(pid)) < percent) return;
    if (performance.now() > deadline) return;
  }
}
