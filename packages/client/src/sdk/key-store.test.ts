import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultKeyPath, KeyStore } from "./key-store.ts";

let dir: string;
let store: KeyStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "clawcall-keystore-"));
  store = new KeyStore({ path: join(dir, "cfg", "clawcall", "key.json") });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const KEY = `clawcall_sk_${"a".repeat(43)}`;
const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe("defaultKeyPath", () => {
  it("honours XDG_CONFIG_HOME, then HOME/.config", () => {
    expect(defaultKeyPath({ XDG_CONFIG_HOME: "/x/cfg", HOME: "/home/u" })).toBe("/x/cfg/clawcall/key.json");
    expect(defaultKeyPath({ HOME: "/home/u" })).toBe("/home/u/.config/clawcall/key.json");
    // A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
    expect(defaultKeyPath({ XDG_CONFIG_HOME: "rel", HOME: "/home/u" })).toBe(
      "/home/u/.config/clawcall/key.json",
    );
  });
});

describe("KeyStore", () => {
  it("writes the key with a 0700 directory and a 0600 file, leaving no temp files", async () => {
    await store.save(KEY);
    expect(JSON.parse(await readFile(store.path, "utf8"))).toEqual({ api_key: KEY });
    expect(await mode(store.path)).toBe(0o600);
    expect(await mode(dirname(store.path))).toBe(0o700);
    expect(await readdir(dirname(store.path))).toEqual(["key.json"]);
  });

  it("keeps user_phone_number (and other fields) when the key changes or is forgotten", async () => {
    await mkdir(dirname(store.path), { recursive: true });
    await writeFile(store.path, JSON.stringify({ api_key: "old", user_phone_number: "+12125550188" }));
    await store.save(KEY);
    expect(await store.load()).toEqual({ api_key: KEY, user_phone_number: "+12125550188" });
    expect(await store.forget()).toBe(true);
    expect(JSON.parse(await readFile(store.path, "utf8"))).toEqual({ user_phone_number: "+12125550188" });
    expect(await store.load()).toBeNull();
  });

  it("removes the file when the key was all it held", async () => {
    await store.save(KEY);
    expect(await store.forget()).toBe(true);
    await expect(stat(store.path)).rejects.toThrow();
    expect(await store.forget()).toBe(false);
  });

  it("treats a damaged or empty file as no key, and a save replaces it", async () => {
    await mkdir(dirname(store.path), { recursive: true });
    for (const content of ["{oops", "[]", '{"api_key": 42}', '{"api_key": "  "}']) {
      await writeFile(store.path, content);
      expect(await store.load()).toBeNull();
    }
    await store.save(KEY);
    expect((await store.load())?.api_key).toBe(KEY);
  });
});
