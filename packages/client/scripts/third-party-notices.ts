import fs from "node:fs";
import path from "node:path";
import type { Metafile } from "esbuild";

/** The folder of the npm package a bundled file came from, or null for the workspace's own sources. */
function packageDir(file: string): string | null {
  const parts = file.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return null;
  const length = parts[at + 1]?.startsWith("@") ? 2 : 1;
  return parts.slice(0, at + 1 + length).join("/");
}

/**
 * The licenses of the npm packages compiled into a bundle, for the file shipped beside it: their MIT and
 * ISC licenses ask that the notice travel with every copy, and a bundle is one.
 */
export function thirdPartyNotices(metafile: Metafile, cwd: string): string {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDir(input);
    if (dir) dirs.add(path.resolve(cwd, dir));
  }
  const sections: string[] = [];
  for (const dir of [...dirs].sort()) {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const licenseFile = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenseFile ? fs.readFileSync(path.join(dir, licenseFile), "utf8").trim() : "";
    sections.push(`${manifest.name} ${manifest.version} (${manifest.license ?? "see package"})\n\n${text}`);
  }
  return `This file bundles the following packages.\n\n${sections.join(`\n\n${"-".repeat(72)}\n\n`)}\n`;
}
