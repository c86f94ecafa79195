import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { privateDir, privateIfPresent } from "./store/private-files.ts";

/**
 * The service secret signs recording links. CLAWCALL_SECRET sets it (required when several nodes must
 * agree); otherwise one is generated once and kept in the data folder, readable by its owner only.
 */
export function loadSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, "secret");
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    privateIfPresent(file);
    return existing;
  } catch {
    privateDir(dataDir);
    const secret = randomBytes(32).toString("base64url");
    try {
      fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
      return secret;
    } catch {
      // Another process created it first: use theirs.
      return fs.readFileSync(file, "utf8").trim();
    }
  }
}
