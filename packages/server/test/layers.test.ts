import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { checkLayers, checkRoomNotes } from "../scripts/check-layers.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

describe("the server's floors", () => {
  it("every import in src/ runs down to a lower floor or stays in its room", () => {
    expect(checkLayers(path.join(here, "../src"))).toEqual([]);
  });

  it("every room says what it owns, and CONTRIBUTING's map lists exactly the rooms of the tree", () => {
    const contributing = fs.readFileSync(path.join(here, "../../../CONTRIBUTING.md"), "utf8");
    expect(checkRoomNotes(path.join(here, "../src"), contributing)).toEqual([]);
  });
});

describe("checkLayers", () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function tree(files: Record<string, string>): string {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }

  const floors = [["main.ts"], ["calls", "api"], ["voice"], ["media"]];

  it("accepts imports down the floors and within a room", () => {
    const src = tree({
      "main.ts": 'import "./calls/service.ts";',
      "calls/service.ts": 'import { x } from "../voice/session.ts";\nimport { y } from "./states.ts";',
      "calls/states.ts": "export const y = 1;",
      "voice/session.ts": 'import type { Frame } from "../media/frame.ts";\nexport const x = 1;',
      "media/frame.ts": "export type Frame = Uint8Array;",
    });
    expect(checkLayers(src, floors)).toEqual([]);
  });

  it("names an import that runs up, type-only and dynamic ones included", () => {
    const src = tree({
      "voice/session.ts": 'import type { S } from "../calls/states.ts";',
      "media/frame.ts": 'export async function f() { return import("../voice/session.ts"); }',
      "calls/states.ts": "export type S = string;",
    });
    expect(checkLayers(src, floors)).toEqual([
      {
        file: "media/frame.ts",
        imported: "../voice/session.ts",
        message: "media imports voice, a higher floor",
      },
      {
        file: "voice/session.ts",
        imported: "../calls/states.ts",
        message: "voice imports calls, a higher floor",
      },
    ]);
  });

  it("refuses imports between rooms of one floor and rooms on no floor", () => {
    const src = tree({
      "api/routes.ts": 'import "../calls/service.ts";\nimport "../extra/thing.ts";',
      "calls/service.ts": "",
      "extra/thing.ts": "",
    });
    const problems = checkLayers(src, floors).map((p) => `${p.file}: ${p.message}`);
    expect(problems.sort()).toEqual([
      "api/routes.ts: api imports calls on its own floor",
      'api/routes.ts: room "extra" is on no floor',
      'extra/thing.ts: room "extra" is on no floor',
    ]);
  });

  it("leaves tests out: a test may put several floors together", () => {
    const src = tree({
      "voice/session.test.ts": 'import "../calls/service.ts";',
      "calls/service.ts": "",
    });
    expect(checkLayers(src, floors)).toEqual([]);
  });

  it("names a room with no opening line, and rooms the map and the tree disagree on", () => {
    const src = tree({
      "calls/service.ts": "// Room calls/: the calls.\nexport {};",
      "voice/session.ts": "export {};",
    });
    const map = "```\npackages/server/src/\n  calls/      the calls\n  agent/      the agent\n```";
    expect(checkRoomNotes(src, map)).toEqual([
      'src/voice/: no file opens with "// Room voice/: <what it owns>"',
      "src/voice/ is missing from CONTRIBUTING.md's map",
      "CONTRIBUTING.md maps agent/, which src/ does not have",
    ]);
  });
});
