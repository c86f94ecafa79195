import { createHmac, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { privateDir } from "../store/private-files.ts";

/**
 * Recordings this service holds itself (the sandbox) are served through links signed with the service
 * secret that expire after the recording TTL; the file is deleted then too.
 */
export class RecordingLinks {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly dir: string,
    private readonly secret: string,
    /** Read at publish time: the address may be known only once the server listens. */
    private readonly publicUrl: () => string,
    private readonly ttlSeconds: number,
  ) {
    privateDir(dir);
  }

  get directory(): string {
    return this.dir;
  }

  private sign(file: string, expires: number): string {
    return createHmac("sha256", this.secret).update(`${file}:${expires}`).digest("base64url");
  }

  /** Publishes a finished recording file and schedules its deletion. Returns the link and its expiry. */
  publish(file: string, now = Date.now()): { url: string; expiresAt: Date } {
    const expires = Math.floor(now / 1000) + this.ttlSeconds;
    const name = path.basename(file);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fs.rm(path.join(this.dir, name), { force: true }, () => {});
    }, this.ttlSeconds * 1000);
    timer.unref();
    this.timers.add(timer);
    return {
      url: `${this.publicUrl()}/recordings/${encodeURIComponent(name)}?expires=${expires}&sig=${this.sign(name, expires)}`,
      expiresAt: new Date(expires * 1000),
    };
  }

  /** The file behind a signed link, or null when the link is forged, expired, or the file is gone. */
  resolve(name: string, expires: string, sig: string, now = Date.now()): string | null {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) return null;
    const exp = Number(expires);
    if (!Number.isInteger(exp) || exp * 1000 <= now) return null;
    const expected = Buffer.from(this.sign(name, exp));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const file = path.join(this.dir, name);
    return fs.existsSync(file) ? file : null;
  }

  /** Deletes recordings left from an earlier run whose links can no longer be valid. */
  sweep(now = Date.now()): void {
    for (const name of fs.readdirSync(this.dir)) {
      const file = path.join(this.dir, name);
      const age = now - fs.statSync(file).mtimeMs;
      if (age > this.ttlSeconds * 1000) fs.rmSync(file, { force: true });
    }
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
