/**
 * The server's floors, declared once, and the check that keeps imports running one way: a file may
 * import from its own room or from any room on a lower floor, never from a higher floor nor from another
 * room on its own floor. `npm run lint` runs it; it exits non-zero and names each import that breaks the rule.
 * Tests (`*.test.ts`) are left out: a test may put rooms of several floors together to drive one of them.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/**
 * Top floor first. A room is a folder under src/ or a file directly in it. Rooms on one floor do not
 * import each other.
 */
export const FLOORS: readonly (readonly string[])[] = [
  ["main.ts", "index.ts"],
  ["service.ts", "admin"],
  ["secret.ts", "wiring"],
  ["mcp"],
  ["api"],
  ["config"],
  ["phones"],
  ["agent"],
  ["calls"],
  ["payments"],
  ["sandbox"],
  ["telephony"],
  ["voice"],
  ["providers"],
  ["mail", "oauth"],
  ["billing"],
  ["store"],
  ["media"],
  ["observability"],
  ["env"],
];

export interface LayerProblem {
  file: string;
  imported: string;
  message: string;
}

function floorOf(room: string, floors: readonly (readonly string[])[]): number {
  return floors.findIndex((rooms) => rooms.includes(room));
}

/** The room a path (relative to src/, with forward slashes) belongs to. */
export function roomOf(relative: string): string {
  return relative.split("/")[0]!;
}

/** Relative imports of a TypeScript source, type-only and dynamic ones included. */
export function importsOf(source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((name) => name.startsWith("./") || name.startsWith("../"));
}

function* sourceFiles(dir: string): Generator<string> {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  for (const entry of entries.sort((x, y) => x.name.localeCompare(y.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|mts|mjs|js)$/.test(entry.name)) yield full;
  }
}

/** Every import under `srcDir` that runs from a lower floor up, sideways between rooms, or off the map. */
export function checkLayers(srcDir: string, floors = FLOORS): LayerProblem[] {
  const problems: LayerProblem[] = [];
  const toRelative = (file: string) => path.relative(srcDir, file).split(path.sep).join("/");
  for (const file of sourceFiles(srcDir)) {
    const from = toRelative(file);
    if (/\.test\.ts$/.test(from)) continue;
    const fromRoom = roomOf(from);
    const fromFloor = floorOf(fromRoom, floors);
    if (fromFloor < 0) {
      problems.push({ file: from, imported: "", message: `room "${fromRoom}" is on no floor` });
      continue;
    }
    for (const spec of importsOf(fs.readFileSync(file, "utf8"))) {
      const target = toRelative(path.resolve(path.dirname(file), spec));
      if (target.startsWith("../")) {
        problems.push({ file: from, imported: spec, message: "reaches outside src/" });
        continue;
      }
      const toRoom = roomOf(target);
      if (toRoom === fromRoom) continue;
      const toFloor = floorOf(toRoom, floors);
      if (toFloor < 0) {
        problems.push({ file: from, imported: spec, message: `room "${toRoom}" is on no floor` });
      } else if (toFloor < fromFloor) {
        problems.push({
          file: from,
          imported: spec,
          message: `${fromRoom} imports ${toRoom}, a higher floor`,
        });
      } else if (toFloor === fromFloor) {
        problems.push({
          file: from,
          imported: spec,
          message: `${fromRoom} imports ${toRoom} on its own floor`,
        });
      }
    }
  }
  return problems;
}

/**
 * Room folders whose main file does not open with a `// Room <name>/:` line saying what the room owns,
 * and room folders CONTRIBUTING's map does not list (or lists but the tree lacks).
 */
export function checkRoomNotes(srcDir: string, contributing: string): string[] {
  const problems: string[] = [];
  const folders = fs
    .readdirSync(srcDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const room of folders) {
    const opens = [...sourceFiles(path.join(srcDir, room))].some((file) =>
      fs.readFileSync(file, "utf8").startsWith(`// Room ${room}/: `),
    );
    if (!opens) problems.push(`src/${room}/: no file opens with "// Room ${room}/: <what it owns>"`);
  }
  const mapped = [...contributing.matchAll(/^ {2}([a-z][a-z-]*)\/ /gm)].map((m) => m[1]!).sort();
  for (const room of folders)
    if (!mapped.includes(room)) problems.push(`src/${room}/ is missing from CONTRIBUTING.md's map`);
  for (const room of mapped)
    if (!folders.includes(room)) problems.push(`CONTRIBUTING.md maps ${room}/, which src/ does not have`);
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const srcDir = path.resolve(here, "../src");
  const problems = checkLayers(srcDir);
  for (const p of problems)
    console.error(`src/${p.file}: ${p.imported ? `"${p.imported}" ` : ""}${p.message}`);
  const notes = checkRoomNotes(
    srcDir,
    fs.readFileSync(path.resolve(here, "../../../CONTRIBUTING.md"), "utf8"),
  );
  for (const n of notes) console.error(n);
  if (problems.length > 0 || notes.length > 0) {
    console.error(
      `${problems.length} import(s) break the floors declared in packages/server/scripts/check-layers.ts, ` +
        `${notes.length} room note(s) are missing`,
    );
    process.exit(1);
  }
  console.log("layers: every import runs down, and every room says what it owns");
}
