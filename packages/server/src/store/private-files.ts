import fs from "node:fs";

/**
 * The data folder holds emails, password hashes, phone numbers, tasks and recordings: only the service's
 * own user may read it. Modes are set on existing files too, since a folder made by an older version (or
 * under a loose umask) may be readable by everyone.
 */
export function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** Creates the file empty if missing, and makes it readable and writable by its owner only. */
export function privateFile(file: string): void {
  fs.closeSync(fs.openSync(file, "a", 0o600));
  fs.chmodSync(file, 0o600);
}

/** Owner-only mode on whichever of these files exist (e.g. SQLite's write-ahead log and index). */
export function privateIfPresent(...files: string[]): void {
  for (const f of files) {
    try {
      fs.chmodSync(f, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
}
