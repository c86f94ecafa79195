import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { API_KEY_PATTERN } from "@clawcall/contract";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "../src/cli/exit-codes.ts";
import { runCli, type Sandbox, startSandbox, tempHome } from "./harness.ts";

let sandbox: Sandbox;
let home: Awaited<ReturnType<typeof tempHome>>;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  home = await tempHome();
  env = { ...home.env, CLAWCALL_BASE_URL: sandbox.url, CLAWCALL_NOW: "2026-03-04T17:00:00Z" };
});
afterEach(async () => {
  await home.cleanup();
});

const busyCall = (extraEnv: Record<string, string> = {}) =>
  runCli(["call", "--to", "+12125550101", "--task", "Ask about Saturday hours.", "--wait"], {
    ...env,
    ...extraEnv,
  });
const readKeyFile = async () => JSON.parse(await readFile(home.keyPath, "utf8"));
const mode = async (path: string) => (await stat(path)).mode & 0o777;
const UNKNOWN_KEY = `clawcall_sk_${"x".repeat(43)}`;

describe("the key file, across processes", () => {
  it("is created on the first call (dir 0700, file 0600) and reused by the next processes", async () => {
    expect((await runCli(["key", "show"], env)).code).toBe(EXIT.auth);
    expect((await busyCall()).code).toBe(EXIT.busy);
    const { api_key } = await readKeyFile();
    expect(api_key).toMatch(API_KEY_PATTERN);
    expect(await mode(home.keyPath)).toBe(0o600);
    expect(await mode(dirname(home.keyPath))).toBe(0o700);

    expect((await busyCall()).code).toBe(EXIT.busy);
    expect((await readKeyFile()).api_key).toBe(api_key);
    const shown = await runCli(["key", "show"], env);
    expect(shown.stdout.trim()).toBe(api_key);
    const calls = JSON.parse((await runCli(["calls", "--json"], env)).stdout).calls;
    expect(calls).toHaveLength(2);
  });

  it("forgets a key the service no longer knows, keeps user_phone_number, and saves the next minted key", async () => {
    await mkdir(dirname(home.keyPath), { recursive: true });
    await writeFile(
      home.keyPath,
      JSON.stringify({ api_key: UNKNOWN_KEY, user_phone_number: "+12125550188" }),
    );
    const refused = await busyCall();
    expect(refused.code).toBe(EXIT.auth);
    expect(refused.stderr).toContain("Error (invalid_api_key)");
    expect(refused.stderr).toContain("forgotten");
    expect(await readKeyFile()).toEqual({ user_phone_number: "+12125550188" });

    expect((await busyCall()).code).toBe(EXIT.busy);
    const repaired = await readKeyFile();
    expect(repaired.user_phone_number).toBe("+12125550188");
    expect(repaired.api_key).toMatch(API_KEY_PATTERN);
    expect(repaired.api_key).not.toBe(UNKNOWN_KEY);
  });

  it("never forgets or overwrites because of a bad CLAWCALL_API_KEY", async () => {
    await busyCall();
    const before = await readFile(home.keyPath, "utf8");
    const run = await runCli(["balance"], { ...env, CLAWCALL_API_KEY: UNKNOWN_KEY });
    expect(run.code).toBe(EXIT.auth);
    expect(run.stderr).toContain("CLAWCALL_API_KEY");
    expect(await readFile(home.keyPath, "utf8")).toBe(before);
  });

  it("keeps the saved key when the service cannot be reached", async () => {
    await busyCall();
    const before = await readFile(home.keyPath, "utf8");
    const run = await runCli(["balance"], { ...env, CLAWCALL_BASE_URL: "http://127.0.0.1:9" });
    expect(run.code).toBe(EXIT.unavailable);
    expect(await readFile(home.keyPath, "utf8")).toBe(before);
  });

  it("repairs permissions left too open, and replaces a damaged file on the next call", async () => {
    await busyCall();
    await chmod(home.keyPath, 0o644);
    await chmod(dirname(home.keyPath), 0o755);
    expect((await runCli(["balance"], env)).code).toBe(EXIT.ok);
    expect(await mode(home.keyPath)).toBe(0o600);
    expect(await mode(dirname(home.keyPath))).toBe(0o700);

    await writeFile(home.keyPath, "{ not json");
    expect((await busyCall()).code).toBe(EXIT.busy);
    expect((await readKeyFile()).api_key).toMatch(API_KEY_PATTERN);
    expect(await mode(home.keyPath)).toBe(0o600);
  });

  it("key set / forget / link work on the same file", async () => {
    await busyCall();
    const { api_key } = await readKeyFile();
    const links = JSON.parse((await runCli(["link", "--json"], env)).stdout);
    expect(links.sign_up_url).toBe(`${sandbox.url}/signup?token=${api_key}`);
    expect(links.sign_in_url).toBe(`${sandbox.url}/signin?token=${api_key}`);
    expect(links.linked).toBe(false);

    expect((await runCli(["key", "forget"], env)).code).toBe(EXIT.ok);
    expect((await runCli(["key", "show"], env)).code).toBe(EXIT.auth);
    expect((await runCli(["key", "set", "not-a-key"], env)).code).toBe(EXIT.usage);
    expect((await runCli(["key", "set", api_key], env)).code).toBe(EXIT.ok);
    expect(await readKeyFile()).toEqual({ api_key });
    expect(await mode(home.keyPath)).toBe(0o600);
    expect((await runCli(["balance", "--json"], env)).code).toBe(EXIT.ok);
  });

  it("link: after the user signs up through the printed link, the same key reports the account", async () => {
    await busyCall();
    const before = JSON.parse((await runCli(["link", "--json"], env)).stdout);
    expect(before.linked).toBe(false);
    // What the user's browser does with the sign-up page.
    const signUp = new URL(before.sign_up_url);
    const form = new URLSearchParams({
      token: signUp.searchParams.get("token") ?? "",
      email: "jordan@example.com",
      password: "correct horse battery",
      // The box the user ticks to confirm the key from the link.
      link: "yes",
    });
    const response = await fetch(new URL(signUp.pathname, sandbox.url), { method: "POST", body: form });
    expect(response.status).toBeLessThan(400);
    const after = await runCli(["link"], env);
    expect(after.stdout.split("\n")[0]).toBe("This key is linked to jordan@example.com.");
    expect((await busyCall()).code).toBe(EXIT.busy);
  });
});
