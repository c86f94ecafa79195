/** The server as `npm start` runs it: built to plain JavaScript by its prestart step, then run by node. */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

/** What node runs once `buildServer()` has built it. */
export const BUILT_MAIN = path.join(root, "packages/server/dist/start/main.js");

/** The node flags of package.json's start script (how the heap is collected: see heap-tidy.ts). */
export const START_FLAGS: string[] = (
  JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith("--"));

/**
 * How the service of another checkout starts, for a before-and-after in one run with this checkout's
 * harness (BENCH_SERVICE_ROOT=<checkout>, dependencies installed there): its own `npm start`, built by its
 * own prestart where it has one, run by node directly (its pid is the service's, for the CPU figures).
 * Older checkouts started from the sources with `tsx <entry>`: that becomes node with tsx's loader.
 */
export function serviceCommand(otherRoot: string): { cwd: string; args: string[] } {
  const scripts = (
    JSON.parse(fs.readFileSync(path.join(otherRoot, "package.json"), "utf8")) as {
      scripts: { start: string; prestart?: string };
    }
  ).scripts;
  const [runner, ...rest] = scripts.start.split(/\s+/);
  if (runner === "tsx") return { cwd: otherRoot, args: ["--import", "tsx", ...rest] };
  if (runner !== "node") throw new Error(`BENCH_SERVICE_ROOT: cannot start "${scripts.start}"`);
  if (scripts.prestart !== undefined) {
    const [tool, ...args] = scripts.prestart.split(/\s+/);
    if (tool !== "tsx") throw new Error(`BENCH_SERVICE_ROOT: cannot build with "${scripts.prestart}"`);
    execFileSync(process.execPath, ["--import", "tsx", ...args], {
      cwd: otherRoot,
      stdio: "inherit",
      timeout: 120_000,
    });
  }
  return { cwd: otherRoot, args: rest };
}

/** npm's prestart: builds the sources as they are now. */
export function buildServer(): void {
  execFileSync(
    process.execPath,
    ["--import", "tsx", path.join(root, "packages/server/scripts/build-start.ts")],
    {
      cwd: root,
      stdio: "inherit",
      timeout: 120_000,
    },
  );
}
