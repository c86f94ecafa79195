import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * The service secret signs recording links. CLAWCALL_SECRET sets it (required when several nodes must
 * agree); otherwise one is generated once and kept in the data folder, readable by its owner only.
 */
export function loadSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, "secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
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
