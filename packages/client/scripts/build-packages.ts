import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import ts from "typescript";
import { thirdPartyNotices } from "./third-party-notices.ts";

/**
 * Builds the three npm packages users install, as plain JavaScript that runs on Node with nothing else:
 *
 * - `@clawcall/cli` (the `clawcall` command) and `@clawcall/mcp` (`clawcall-mcp`, the stdio MCP server) are
 *   one esbuild bundle each with every dependency compiled in, so installing them fetches nothing.
 * - `@clawcall/client`, the SDK, is compiled file by file with its `.d.ts` types. The contract and zod, which
 *   its types are made of, travel inside it as bundled dependencies: one copy of each for the code and the
 *   types, and nothing to fetch either.
 *
 * `clawcall serve` and `clawcall admin` still need the server package, which is not among them.
 */
const CLIENT = fileURLToPath(new URL("../", import.meta.url));
const CONTRACT = path.join(CLIENT, "../contract");
const ROOT = path.join(CLIENT, "../..");

const NOTICES = "THIRD-PARTY-NOTICES.txt";

export interface BuiltPackages {
  sdk: string;
  cli: string;
  mcp: string;
}

const version = (): string => JSON.parse(fs.readFileSync(path.join(CLIENT, "package.json"), "utf8")).version;

const COMMON = {
  version: version(),
  type: "module",
  license: "MIT",
  engines: { node: ">=20.11" },
};

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Builds the packages' folders under `outDir` (emptied first). */
export async function buildPackages(outDir: string): Promise<BuiltPackages> {
  fs.rmSync(outDir, { recursive: true, force: true });
  const dirs = {
    sdk: path.join(outDir, "client"),
    cli: path.join(outDir, "cli"),
    mcp: path.join(outDir, "mcp"),
  };
  buildSdk(dirs.sdk);
  await Promise.all([
    bundleBin({
      dir: dirs.cli,
      name: "@clawcall/cli",
      bin: "clawcall",
      entry: "src/cli/main.ts",
      description:
        "The clawcall command: place phone calls through ClawCall, an AI voice agent that dials, talks and reports back",
    }),
    bundleBin({
      dir: dirs.mcp,
      name: "@clawcall/mcp",
      bin: "clawcall-mcp",
      entry: "src/mcp/main.ts",
      description:
        "ClawCall's MCP server on stdio: tools for an assistant to place, follow and report phone calls",
    }),
  ]);
  return dirs;
}

/** One executable ES module with its dependencies compiled in. */
async function bundleBin(p: { dir: string; name: string; bin: string; entry: string; description: string }) {
  const file = `${p.bin}.mjs`;
  const result = await build({
    entryPoints: [path.join(CLIENT, p.entry)],
    outfile: path.join(p.dir, file),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Some dependencies are CommonJS and require() Node's modules, which an ES module has no `require` for.
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: "warning",
  });
  fs.chmodSync(path.join(p.dir, file), 0o755);
  fs.writeFileSync(path.join(p.dir, NOTICES), thirdPartyNotices(result.metafile, process.cwd()));
  writeJson(path.join(p.dir, "package.json"), {
    name: p.name,
    description: p.description,
    ...COMMON,
    bin: { [p.bin]: file },
    files: [file, NOTICES, "README.md", "SKILL.md"],
  });
  copyDocs(p.dir);
}

function copyDocs(dir: string): void {
  for (const doc of ["README.md", "SKILL.md"]) fs.copyFileSync(path.join(CLIENT, doc), path.join(dir, doc));
}

function buildSdk(dir: string): void {
  const contract = path.join(dir, "node_modules/@clawcall/contract");
  compile({
    entry: path.join(CONTRACT, "src/index.ts"),
    rootDir: path.join(CONTRACT, "src"),
    outDir: path.join(contract, "dist"),
  });
  writeJson(path.join(contract, "package.json"), {
    name: "@clawcall/contract",
    description: "ClawCall HTTP API schemas and types",
    ...COMMON,
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    dependencies: { zod: dependencyVersion("zod") },
  });
  fs.cpSync(path.join(ROOT, "node_modules/zod"), path.join(dir, "node_modules/zod"), { recursive: true });

  compile({
    entry: path.join(CLIENT, "src/index.ts"),
    rootDir: path.join(CLIENT, "src"),
    outDir: path.join(dir, "dist"),
    // Against the contract as it ships beside it, so only the SDK's own files are compiled here.
    paths: { "@clawcall/contract": [path.join(contract, "dist/index.d.ts")] },
  });
  writeJson(path.join(dir, "package.json"), {
    name: "@clawcall/client",
    description: "ClawCall SDK: place phone calls through an AI voice agent and follow them to their result",
    ...COMMON,
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    files: ["dist", "README.md", "SKILL.md"],
    dependencies: { "@clawcall/contract": COMMON.version, zod: dependencyVersion("zod") },
    bundleDependencies: ["@clawcall/contract", "zod"],
  });
  copyDocs(dir);
}

function dependencyVersion(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(CLIENT, "package.json"), "utf8")).dependencies[name];
}

/** Compiles one package's sources (those its entry reaches) to JavaScript and declarations. */
function compile(p: {
  entry: string;
  rootDir: string;
  outDir: string;
  paths?: Record<string, string[]>;
}): void {
  const base = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, "tsconfig.base.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!base) throw new Error("tsconfig.base.json could not be read");
  const options: ts.CompilerOptions = {
    ...base.options,
    noEmit: false,
    allowImportingTsExtensions: false,
    rewriteRelativeImportExtensions: true,
    declaration: true,
    rootDir: p.rootDir,
    outDir: p.outDir,
    ...(p.paths ? { paths: p.paths } : {}),
  };
  const program = ts.createProgram([p.entry], options);
  // `npm run typecheck` checks the sources; here only what stops a correct emit is reported.
  const problems = [...program.getOptionsDiagnostics(), ...program.emit().diagnostics];
  if (problems.length > 0)
    throw new Error(
      ts.formatDiagnostics(problems, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => ROOT,
        getNewLine: () => "\n",
      }),
    );
}

const execFileAsync = promisify(execFile);

/** `npm pack`s each folder into `dest`; resolves with the tarballs' paths, by package. */
export async function packPackages(
  dirs: BuiltPackages,
  dest: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BuiltPackages> {
  fs.mkdirSync(dest, { recursive: true });
  const pack = async (dir: string) => {
    const { stdout } = await execFileAsync("npm", ["pack", dir, "--pack-destination", dest, "--json"], {
      env,
    });
    return path.join(dest, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
  };
  const [sdk, cli, mcp] = await Promise.all([pack(dirs.sdk), pack(dirs.cli), pack(dirs.mcp)]);
  return { sdk: sdk!, cli: cli!, mcp: mcp! };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.join(CLIENT, "dist");
  const tarballs = await packPackages(await buildPackages(path.join(out, "packages")), out);
  for (const file of Object.values(tarballs)) process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
}
