import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltPackages, buildPackages, packPackages } from "../scripts/build-packages.ts";
import { EXIT } from "../src/cli/exit-codes.ts";
import { type Sandbox, startSandbox, tempHome } from "./harness.ts";

const run = promisify(execFile);
const TSC = fileURLToPath(new URL("../../../node_modules/typescript/bin/tsc", import.meta.url));
const TYPES = fileURLToPath(new URL("../../../node_modules/@types", import.meta.url));

/** Node's folder and the system's, nothing of this repository: what a user's shell has. */
const PATH = `${dirname(process.execPath)}:/usr/bin:/bin`;

let sandbox: Sandbox;
let work: string;
/** Each package installed alone into its own empty folder. */
let installed: BuiltPackages;

/** Runs a command to its end, resolving with its exit code and output whatever the code. */
async function exec(file: string, args: string[], options: { cwd?: string; env: Record<string, string> }) {
  try {
    const { stdout, stderr } = await run(file, args, { ...options, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw e;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

beforeAll(async () => {
  sandbox = await startSandbox();
  work = await mkdtemp(join(tmpdir(), "clawcall-packages-"));
  // npm with an empty cache of its own and a registry address nothing listens on: an install that needed
  // anything from the registry would fail here rather than quietly download it.
  const npmEnv = {
    PATH,
    HOME: join(work, "npm-home"),
    npm_config_cache: join(work, "npm-cache"),
    npm_config_registry: "http://127.0.0.1:9/",
    npm_config_update_notifier: "false",
  };
  const tarballs = await packPackages(
    await buildPackages(join(work, "build")),
    join(work, "tarballs"),
    npmEnv,
  );
  const install = async (name: string, tarball: string) => {
    const dir = join(work, name);
    await mkdir(dir);
    const res = await exec("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], {
      cwd: dir,
      env: npmEnv,
    });
    if (res.code !== 0) throw new Error(`npm install ${tarball} failed:\n${res.stderr}`);
    return dir;
  };
  installed = {
    sdk: await install("sdk", tarballs.sdk),
    cli: await install("cli", tarballs.cli),
    mcp: await install("mcp", tarballs.mcp),
  };
}, 300_000);
afterAll(async () => {
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the packages users install, each alone in an empty folder with only Node", () => {
  it("`clawcall --help` runs from @clawcall/cli, which brought nothing else with it", async () => {
    const res = await exec(join(installed.cli, "node_modules/.bin/clawcall"), ["--help"], { env: { PATH } });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Usage: clawcall");
    expect(res.stdout).toMatch(/^ {2}call /m);
    const modules = (await readdir(join(installed.cli, "node_modules"))).filter((d) => !d.startsWith("."));
    expect(modules).toEqual(["@clawcall"]);
    expect(await readdir(join(installed.cli, "node_modules/@clawcall"))).toEqual(["cli"]);
  });

  it("the installed CLI places a sandbox call and waits for its end", async () => {
    const home = await tempHome();
    try {
      const res = await exec(
        join(installed.cli, "node_modules/.bin/clawcall"),
        [
          "call",
          "--to",
          "+12125550101",
          "--task",
          "Ask whether the office is open on Saturday.",
          "--wait",
          "--json",
        ],
        // A weekday noon in New York, so no business-hours question holds the call back.
        { env: { PATH, ...home.env, CLAWCALL_BASE_URL: sandbox.url, CLAWCALL_NOW: "2026-03-04T17:00:00Z" } },
      );
      expect(res.code, res.stderr).toBe(EXIT.busy);
      expect(JSON.parse(res.stdout).call).toMatchObject({
        to: "+12125550101",
        status: "failed",
        failReason: "busy",
      });
    } finally {
      await home.cleanup();
    }
  });

  it("@clawcall/mcp serves its tools over stdio and places a call with one", async () => {
    const home = await tempHome();
    const transport = new StdioClientTransport({
      command: join(installed.mcp, "node_modules/.bin/clawcall-mcp"),
      env: { PATH, ...home.env, CLAWCALL_BASE_URL: sandbox.url },
      stderr: "pipe",
    });
    const client = new Client({ name: "packages-test", version: "0.0.0" });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(["place_call", "place_call_and_wait", "get_call", "get_balance"]),
      );
      const result = await client.callTool({
        name: "place_call_and_wait",
        arguments: { to: "+12125550104", task: "Ask for the opening hours." },
      });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ status: "failed", failReason: "invalid_number" });
    } finally {
      await client.close();
      await home.cleanup();
    }
  });

  it("@clawcall/client runs as plain JavaScript and its types check in a TypeScript project", async () => {
    const home = await tempHome();
    try {
      await writeFile(
        join(installed.sdk, "place.mts"),
        `import { ClawCall, type CallAndWaitResult } from "@clawcall/client";

const clawcall = new ClawCall({ baseUrl: process.env.CLAWCALL_BASE_URL });
const { call }: CallAndWaitResult = await clawcall.callAndWait({ to: "+12125550104", task: "Ask for the hours." });
const reason: string | undefined = call.failReason;
// @ts-expect-error: a status is a word; were the package's types missing, this would pass unnoticed.
const wrong: number = call.status;
console.log(JSON.stringify({ status: call.status, reason, wrong }));
`,
      );
      const types = await exec(
        process.execPath,
        [TSC, "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--target", "es2022"]
          // Node's types, as any Node project has them; the package brings everything else.
          .concat(["--types", "node", "--typeRoots", TYPES, "place.mts"]),
        { cwd: installed.sdk, env: { PATH } },
      );
      expect(types.stdout, "tsc").toBe("");
      expect(types.code).toBe(0);

      // The same program, its types stripped, as plain JavaScript.
      await writeFile(
        join(installed.sdk, "place.mjs"),
        `import { ClawCall } from "@clawcall/client";
const { call } = await new ClawCall({ baseUrl: process.env.CLAWCALL_BASE_URL }).callAndWait({ to: "+12125550104", task: "Ask for the hours." });
console.log(JSON.stringify({ status: call.status, reason: call.failReason }));
`,
      );
      const res = await exec(process.execPath, ["place.mjs"], {
        cwd: installed.sdk,
        env: { PATH, ...home.env, CLAWCALL_BASE_URL: sandbox.url },
      });
      expect(res.code, res.stderr).toBe(0);
      expect(JSON.parse(res.stdout)).toEqual({ status: "failed", reason: "invalid_number" });
    } finally {
      await home.cleanup();
    }
  }, 120_000);
});
