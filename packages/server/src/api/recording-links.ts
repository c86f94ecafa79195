import { createHmac, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { privateDir } from "../store/private-files.ts";

/** A published recording's name carries its expiry (Unix seconds): `<id>.<expires>.wav`. */
const PUBLISHED = /^([A-Za-z0-9-]+)\.(\d{9,12})\.(wav|mp3)$/;
/**
 * A recording still being written is appended to every second or so; one untouched this long was left by
 * a call that died with its node, and will never be published.
 */
const ABANDONED_AFTER_MS = 120_000;

/**
 * Recordings this service holds itself (the sandbox) are served through links signed with the service
 * secret that expire after the recording TTL. The expiry is part of the file's name, and a periodic
 * sweep deletes what has expired, so no restart, crash or lost timer can keep a recording on disk.
 */
export class RecordingLinks {
  private sweeper: NodeJS.Timeout | undefined;

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

  /** Publishes a finished recording file under a name that carries its expiry. Returns the link. */
  publish(file: string, now = Date.now()): { url: string; expiresAt: Date } {
    const expires = Math.floor(now / 1000) + this.ttlSeconds;
    const parsed = path.parse(file);
    const name = `${parsed.name}.${expires}${parsed.ext}`;
    fs.renameSync(file, path.join(this.dir, name));
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

  /**
   * Deletes every recording past its expiry, and recordings abandoned mid-call. Files named by an older
   * version (no expiry in the name) count from their last change.
   */
  sweep(now = Date.now()): void {
    for (const name of fs.readdirSync(this.dir)) {
      const file = path.join(this.dir, name);
      const published = PUBLISHED.exec(name);
      try {
        const expired = published
          ? Number(published[2]) * 1000 <= now
          : now - fs.statSync(file).mtimeMs > Math.max(ABANDONED_AFTER_MS, this.ttlSeconds * 1000);
        if (expired) fs.rmSync(file, { force: true });
      } catch (err) {
        // Deleted by another sweep (another node on the same folder) in between.
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
  }

  /** Sweeps now and then on an interval, a fraction of the TTL (at most every 5 s). */
  start(): void {
    this.sweep();
    const every = Math.min(5_000, Math.max(250, (this.ttlSeconds * 1000) / 2));
    this.sweeper = setInterval(() => {
      try {
        this.sweep();
      } catch {
        // A folder that cannot be read now may be readable at the next sweep.
      }
    }, every);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
