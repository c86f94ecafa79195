import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RecordingLinks } from "./recording-links.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-recordings-"));
  dirs.push(d);
  return d;
}

const NOW = Date.parse("2026-11-30T03:00:00Z");

describe("RecordingLinks", () => {
  it("serves a published recording until its expiry, and deletes it once expired whoever sweeps", () => {
    const dir = folder();
    const links = new RecordingLinks(dir, "secret", () => "http://clawcall.test", 600);
    fs.writeFileSync(path.join(dir, "abc.wav"), "RIFF");
    const { url } = links.publish(path.join(dir, "abc.wav"), NOW);
    const u = new URL(url);
    const name = decodeURIComponent(u.pathname.split("/").at(-1) ?? "");
    const args = [name, u.searchParams.get("expires") ?? "", u.searchParams.get("sig") ?? ""] as const;
    expect(links.resolve(...args, NOW + 599_000)).toBe(path.join(dir, name));

    // Another instance on the same folder (a restarted node) knows the expiry from the file alone.
    const restarted = new RecordingLinks(dir, "secret", () => "http://clawcall.test", 600);
    restarted.sweep(NOW + 599_000);
    expect(fs.readdirSync(dir)).toEqual([name]);
    restarted.sweep(NOW + 600_000);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(links.resolve(...args, NOW + 599_000)).toBeNull();
  });

  it("keeps a recording still being written and deletes one abandoned by a dead call", () => {
    const dir = folder();
    const links = new RecordingLinks(dir, "secret", () => "http://clawcall.test", 60);
    const writing = path.join(dir, "writing.wav");
    const abandoned = path.join(dir, "abandoned.wav");
    fs.writeFileSync(writing, "RIFF");
    fs.writeFileSync(abandoned, "RIFF");
    fs.utimesSync(abandoned, new Date(NOW - 121_000), new Date(NOW - 121_000));
    fs.utimesSync(writing, new Date(NOW - 1_000), new Date(NOW - 1_000));
    links.sweep(NOW);
    expect(fs.readdirSync(dir)).toEqual(["writing.wav"]);
  });

  it("refuses forged, expired and path-like links", () => {
    const dir = folder();
    const links = new RecordingLinks(dir, "secret", () => "http://clawcall.test", 600);
    fs.writeFileSync(path.join(dir, "abc.wav"), "RIFF");
    const u = new URL(links.publish(path.join(dir, "abc.wav"), NOW).url);
    const name = decodeURIComponent(u.pathname.split("/").at(-1) ?? "");
    const expires = u.searchParams.get("expires") ?? "";
    expect(links.resolve(name, expires, "forged", NOW)).toBeNull();
    expect(
      links.resolve(name, String(Number(expires) + 60), u.searchParams.get("sig") ?? "", NOW),
    ).toBeNull();
    expect(links.resolve(`../${name}`, expires, u.searchParams.get("sig") ?? "", NOW)).toBeNull();
  });
});
