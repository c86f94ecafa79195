import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

/**
 * Bundles the `clawcall` CLI into one JavaScript file that plain Node runs with no TypeScript loader: the
 * workspace packages (shipped as TypeScript) are compiled in, npm dependencies stay imports resolved from
 * node_modules. `clawcall serve` still loads the server package at run time, so it needs the TypeScript bin.
 */
const ENTRY = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));

const npmDependenciesExternal: Plugin = {
  name: "npm-dependencies-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@clawcall/") ? undefined : { path: args.path, external: true },
    );
  },
};

export async function buildCli(outfile: string): Promise<void> {
  await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    plugins: [npmDependenciesExternal],
    logLevel: "warning",
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(
    process.argv[2] ?? fileURLToPath(new URL("../dist/clawcall.mjs", import.meta.url)),
  );
  await buildCli(out);
  process.stdout.write(`built ${out}\n`);
}
