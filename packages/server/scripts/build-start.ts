/**
 * `npm start` runs the server as plain JavaScript built here (npm's `prestart`, under a second), not
 * through tsx: tsx's loader thread and transform caches cost the idle process about 50 MB. Code split,
 * so the `import()` behind each configuration switch still loads a vendor SDK only when configured;
 * packages stay in node_modules.
 *
 * The output sits as deep under packages/server/ as the sources (dist/start/ like src/api/), so paths
 * the code finds from its own address (the repository's guides) resolve the same; the flite worker,
 * started by its address, is copied beside it.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const server = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(server, "dist", "start");
const manifest = JSON.parse(fs.readFileSync(path.join(server, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};
// The workspace's own packages are TypeScript sources: bundled. Everything else is loaded from node_modules.
const external = Object.keys(manifest.dependencies)
  .filter((name) => !name.startsWith("@clawcall/"))
  .flatMap((name) => [name, `${name}/*`]);

fs.rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(server, "src", "main.ts")],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  sourcemap: true,
  logLevel: "warning",
});
fs.copyFileSync(
  path.join(server, "src", "sandbox", "speech", "flite-worker.mjs"),
  path.join(outdir, "flite-worker.mjs"),
);
