import type { CallView } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClawCall, type ClawCallOptions } from "../src/sdk/client.ts";
import { ClawCallError } from "../src/sdk/errors.ts";
import { KeyStore } from "../src/sdk/key-store.ts";
import type { StatusChange } from "../src/sdk/wait.ts";
import { type Sandbox, startSandbox, tempHome } from "./harness.ts";

const homes: Awaited<ReturnType<typeof tempHome>>[] = [];
const sandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all([...sandboxes.map((s) => s.close()), ...homes.map((h) => h.cleanup())]);
});

async function sdkFor(sandbox: Sandbox, options: ClawCallOptions = {}) {
  const home = await tempHome();
  homes.push(home);
  const store = new KeyStore({ path: home.keyPath });
  return {
    sdk: new ClawCall({ baseUrl: sandbox.url, keyStore: store, pollIntervalMs: 100, ...options }),
    store,
  };
}

async function sandboxWith(env: Record<string, string> = {}) {
  const sandbox = await startSandbox(env);
  sandboxes.push(sandbox);
  return sandbox;
}

const task = "Ask whether the office is open on Saturday.";

describe("SDK against the sandbox", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await sandboxWith();
  });

  it("saves the minted key before returning, and sends it from then on", async () => {
    const { sdk, store } = await sdkFor(sandbox);
    const created = await sdk.placeCall({ to: "+12125550101", task });
    expect((await store.load())?.api_key).toBe(created.api_key);
    expect(await sdk.apiKey()).toEqual({ key: created.api_key, source: "minted" });
    expect((await sdk.getCall(created.call_id)).call_id).toBe(created.call_id);
  });

  it("keeps call preferences and reads the history since a call's end", async () => {
    const { sdk } = await sdkFor(sandbox);
    const first = await sdk.placeCall({ to: "+12125550102", task });
    const ended = await sdk.waitForCall(first.call_id);
    expect(await sdk.setPreferences({ voice: "chris", personality: "Sam." })).toMatchObject({
      configured: true,
      voice: "chris",
    });
    const second = await sdk.placeCall({ to: "+12125550102", task });
    expect(await sdk.getCall(second.call_id)).toMatchObject({ voice: "chris", personality: "Sam." });
    await sdk.waitForCall(second.call_id);
    const since = ended.timestamps.finalized_at ?? "";
    const history = await sdk.history({ since, limit: 10 });
    expect(history.calls.map((c) => c.id)).toEqual([second.call_id, first.call_id]);
    expect(history.recordingWindowMinutes).toBe(10);
    expect(await sdk.clearPreferences()).toMatchObject({ configured: false, voice: null });
  });

  it("asks for an account before it verifies a phone, and loop_in_user without one places nothing", async () => {
    const { sdk } = await sdkFor(sandbox);
    await sdk.placeCall({ to: "+12125550101", task });
    for (const attempt of [() => sdk.accountPhone(), () => sdk.verifyAccountPhone("+13125550118")]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClawCallError);
      expect((err as ClawCallError).code).toBe("auth_required");
    }
    const refused = await sdk
      .placeCall({ to: "+12125550100", task, loop_in_user: true })
      .catch((e: unknown) => e);
    expect((refused as ClawCallError).code).toBe("account_phone_unavailable");
  });

  it.each(["poll", "events"] as const)(
    "waitForCall (%s) reports each status once and returns the final view",
    async (follow) => {
      const { sdk } = await sdkFor(sandbox);
      const created = await sdk.placeCall({ to: "+12125550102", task });
      const seen: StatusChange[] = [];
      const call = await sdk.waitForCall(created.call_id, { follow, onStatus: (c) => seen.push(c) });
      expect(call).toMatchObject({ status: "failed", failReason: "no_answer", outcome: "no_answer" });
      const statuses = seen.map((s) => s.status);
      expect(statuses.at(-1)).toBe("failed");
      expect(new Set(statuses).size).toBe(statuses.length);
    },
  );

  it("pages through every call with for await, newest first, without repeats", async () => {
    const { sdk } = await sdkFor(sandbox);
    const placed: string[] = [];
    for (let i = 0; i < 5; i++)
      placed.push((await sdk.callAndWait({ to: "+12125550101", task })).call.call_id);
    const listed: string[] = [];
    for await (const call of sdk.calls({ pageSize: 2 })) listed.push(call.call_id);
    expect(listed).toEqual([...placed].reverse());
  });

  it("reads the balance and has no recording for a call never answered", async () => {
    const { sdk } = await sdkFor(sandbox);
    const created = await sdk.placeCall({ to: "+12125550101", task });
    await sdk.waitForCall(created.call_id);
    expect(await sdk.balance()).toMatchObject({ tier: "free", low_balance: false });
    expect(sdk.lastBalanceSeconds).toBeGreaterThan(0);
    expect(await sdk.recordingLink(created.call_id)).toBeNull();
  });

  it("never retries busy, and never re-places it", async () => {
    const { sdk } = await sdkFor(sandbox);
    const result = await sdk.callAndWait({ to: "+12125550101", task });
    expect(result.call.failReason).toBe("busy");
    expect(result.retried).toEqual([]);
    const all: CallView[] = [];
    for await (const c of sdk.calls()) all.push(c);
    expect(all).toHaveLength(1);
  });

  it("retries dial_failed once after the pause, with the same key, then throws a typed error", async () => {
    const pauses: number[] = [];
    const { sdk, store } = await sdkFor(sandbox, { sleep: async (ms) => void pauses.push(ms) });
    const error = await sdk.placeCall({ to: "+12125550106", task }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClawCallError);
    expect(error).toMatchObject({ code: "dial_failed", status: 502, retryable: true });
    expect(pauses).toEqual([3_000]);
    // Nothing the first attempt minted is lost, and a valid key is never forgotten on a 5xx.
    const saved = await store.load();
    if (saved) expect((await sdk.balance()).api_key).toBe(saved.api_key);
  });

  it("an unknown key passed as an option is refused but never touches the key file", async () => {
    const { sdk: minting, store } = await sdkFor(sandbox);
    await minting.placeCall({ to: "+12125550101", task });
    const before = await store.load();
    const sdk = new ClawCall({
      baseUrl: sandbox.url,
      apiKey: `clawcall_sk_${"y".repeat(43)}`,
      keyStore: store,
    });
    const error = await sdk.balance().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid_api_key", status: 401, keyForgotten: false });
    expect(await store.load()).toEqual(before);
  });
});

describe("SDK against a sandbox with one caller number", () => {
  it("waits 15 s (injected) after number_pool_exhausted and retries once", async () => {
    const sandbox = await sandboxWith({
      CLAWCALL_SANDBOX_POOL_SIZE: "1",
      CLAWCALL_SANDBOX_RING_SECONDS: "1",
    });
    const { sdk } = await sdkFor(sandbox);
    const first = await sdk.placeCall({ to: "+12125550102", task });
    const pauses: number[] = [];
    const retrying = new ClawCall({
      baseUrl: sandbox.url,
      keyStore: sdk.keyStore,
      pollIntervalMs: 100,
      // The pause ends when the number is free again: the retry must then get through.
      sleep: async (ms) => {
        pauses.push(ms);
        await sdk.waitForCall(first.call_id);
      },
    });
    const second = await retrying.placeCall({ to: "+12125550101", task });
    expect(pauses).toEqual([15_000]);
    expect(second.status).toBe("queued");
  });

  it("gives up after the single retry when the pool is still full", async () => {
    const sandbox = await sandboxWith({
      CLAWCALL_SANDBOX_POOL_SIZE: "1",
      CLAWCALL_SANDBOX_RING_SECONDS: "5",
    });
    const pauses: number[] = [];
    const { sdk } = await sdkFor(sandbox, { sleep: async (ms) => void pauses.push(ms) });
    const first = await sdk.placeCall({ to: "+12125550102", task });
    const error = await sdk.placeCall({ to: "+12125550101", task }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "number_pool_exhausted", status: 503 });
    expect(pauses).toEqual([15_000]);
    await sdk.hangup(first.call_id);
  });
});

describe("SDK against a sandbox with no free minutes", () => {
  it("throws quota_exceeded with the personal sign-up and sign-in links, and keeps the minted key", async () => {
    const sandbox = await sandboxWith({ CLAWCALL_FREE_SECONDS: "0" });
    const { sdk, store } = await sdkFor(sandbox);
    const error = await sdk.placeCall({ to: "+12125550101", task }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "quota_exceeded", status: 429, retryable: false });
    const saved = await store.load();
    const action = (error as ClawCallError).action;
    expect(action?.url).toContain(`token=${saved?.api_key}`);
    expect(action?.sign_in_url).toContain(`token=${saved?.api_key}`);
  });
});
