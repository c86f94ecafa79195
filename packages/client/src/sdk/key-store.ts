import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface KeyFile {
  api_key: string;
  user_phone_number?: string;
  [extra: string]: unknown;
}

export interface KeyStoreOptions {
  /** Full path of key.json; defaults to $XDG_CONFIG_HOME/clawcall/key.json or ~/.config/clawcall/key.json. */
  path?: string;
  env?: Record<string, string | undefined>;
}

export function defaultKeyPath(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const base = xdg?.startsWith("/") ? xdg : join(env.HOME?.trim() || homedir(), ".config");
  return join(base, "clawcall", "key.json");
}

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * The key file shared by the SDK, the CLI and the MCP server (and by any client of the hosted service).
 * Reads never throw on a damaged file: a file that cannot be used is treated as "no key", and the next
 * save rewrites it whole, keeping whatever other fields (user_phone_number) could still be read.
 */
export class KeyStore {
  readonly path: string;

  constructor(options: KeyStoreOptions = {}) {
    this.path = options.path ?? defaultKeyPath(options.env);
  }

  /** The whole file, or null when it is absent or unreadable. */
  async readFile(): Promise<Record<string, unknown> | null> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch {
      return null;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
      return parsed as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  /** The saved key, or null. Tightens permissions left too open by hand edits. */
  async load(): Promise<KeyFile | null> {
    const data = await this.readFile();
    const key = data?.api_key;
    if (typeof key !== "string" || key.trim() === "") return null;
    await this.repairModes();
    return { ...data, api_key: key.trim() } as KeyFile;
  }

  /** Saves the key, keeping the file's other fields; atomic (temp file + rename) so a crash never truncates it. */
  async save(apiKey: string, extra: { user_phone_number?: string } = {}): Promise<void> {
    const previous = (await this.readFile()) ?? {};
    const next: Record<string, unknown> = { ...previous, ...extra, api_key: apiKey };
    await this.writeAtomically(`${JSON.stringify(next, null, 2)}\n`);
  }

  /**
   * Drops the key but keeps the other fields (user_phone_number); removes the file when nothing else is left.
   * Returns whether a key was there.
   */
  async forget(): Promise<boolean> {
    const previous = await this.readFile();
    if (previous === null) {
      await rm(this.path, { force: true });
      return false;
    }
    const hadKey = typeof previous.api_key === "string";
    const { api_key: _dropped, ...rest } = previous;
    if (Object.keys(rest).length === 0) await rm(this.path, { force: true });
    else await this.writeAtomically(`${JSON.stringify(rest, null, 2)}\n`);
    return hadKey;
  }

  private async writeAtomically(content: string): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await chmod(dir, DIR_MODE);
    const temp = join(dir, `.key.json.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    const handle = await open(temp, "wx", FILE_MODE);
    try {
      await handle.writeFile(content, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.path);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  private async repairModes(): Promise<void> {
    try {
      const dir = dirname(this.path);
      if (((await stat(dir)).mode & 0o777) !== DIR_MODE) await chmod(dir, DIR_MODE);
      if (((await stat(this.path)).mode & 0o777) !== FILE_MODE) await chmod(this.path, FILE_MODE);
    } catch {
      // Someone else's directory (e.g. a shared XDG dir) may refuse chmod; the key still works.
    }
  }
}
