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
