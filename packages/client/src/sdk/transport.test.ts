import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClawCall } from "./client.ts";
import { KeyStore } from "./key-store.ts";
import { callView, startStub } from "./loopback-stub.test-helper.ts";

const KEY = `clawcall_sk_${"a".repeat(43)}`;
const MINTED = `clawcall_sk_${"m".repeat(43)}`;
let dir: string;
let store: KeyStore;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "clawcall-transport-"));
  store = new KeyStore({ path: join(dir, "clawcall", "key.json") });
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await rm(dir, { recursive: true, force: true });
});

async function stub(reply: Parameters<typeof startStub>[0]) {
  const s = await startStub(reply);
  closers.push(s.close);
  return s;
}

const errorBody = (code: string) => ({ error: { code, message: `${code} happened.` } });

describe("key resolution and the key file", () => {
  it("prefers the option, then CLAWCALL_API_KEY, then the file", async () => {
    await store.save(KEY);
    const env = { CLAWCALL_API_KEY: "clawcall_sk_env" };
    expect(await new ClawCall({ apiKey: "clawcall_sk_opt", env, keyStore: store }).apiKey()).toEqual({
      key: "clawcall_sk_opt",
      source: "option",
    });
    expect(await new ClawCall({ env, keyStore: store }).apiKey()).toEqual({
      key: "clawcall_sk_env",
      source: "env",
    });
    expect(await new ClawCall({ env: {}, keyStore: store }).apiKey()).toEqual({ key: KEY, source: "file" });
  });

  it("takes the base URL from the option, then CLAWCALL_BASE_URL, then 127.0.0.1:8787", () => {
    expect(new ClawCall({ baseUrl: "http://a:1/", env: { CLAWCALL_BASE_URL: "http://b:2" } }).baseUrl).toBe(
      "http://a:1",
    );
    expect(new ClawCall({ env: { CLAWCALL_BASE_URL: "http://b:2" } }).baseUrl).toBe("http://b:2");
    expect(new ClawCall({ env: {} }).baseUrl).toBe("http://127.0.0.1:8787");
  });

  it("saves a key minted by a request that then failed, and sends it on the retry", async () => {
    const s = await stub(() => ({
      status: 502,
      body: errorBody("dial_failed"),
      headers: { "x-clawcall-api-key": MINTED },
    }));
    const sdk = new ClawCall({ baseUrl: s.url, env: {}, keyStore: store, sleep: async () => {} });
    await expect(sdk.placeCall({ to: "+12125550100", task: "t" })).rejects.toMatchObject({
      code: "dial_failed",
    });
    expect((await store.load())?.api_key).toBe(MINTED);
    expect(s.requests.map((r) => r.apiKey)).toEqual([undefined, MINTED]);
  });

  it("names each placement with its own Idempotency-Key, the same on its silent retry", async () => {
    let n = 0;
    const s = await stub(() =>
      ++n === 1
        ? { status: 503, body: errorBody("number_pool_exhausted") }
        : {
            status: 201,
            body: { call_id: `c${n}`, id: `c${n}`, status: "queued", message: "queued", api_key: KEY },
          },
    );
    const sdk = new ClawCall({
      baseUrl: s.url,
      env: {},
      apiKey: KEY,
      keyStore: store,
      sleep: async () => {},
    });
    await sdk.placeCall({ to: "+12125550100", task: "t" });
    await sdk.placeCall({ to: "+12125550100", task: "t" });
    const [first, retry, second] = s.requests.map((r) => r.idempotencyKey);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(retry).toBe(first);
    expect(second).not.toBe(first);
  });

  it("forgets a saved key on invalid_api_key, and the next call goes without one", async () => {
    await store.save(KEY);
    const s = await stub((r) =>
      r.apiKey
        ? { status: 401, body: errorBody("invalid_api_key") }
        : { status: 400, body: errorBody("invalid_phone") },
    );
    const sdk = new ClawCall({ baseUrl: s.url, env: {}, keyStore: store });
    await expect(sdk.balance()).rejects.toMatchObject({
      code: "invalid_api_key",
      keyForgotten: true,
      status: 401,
    });
    expect(await store.load()).toBeNull();
    await expect(sdk.placeCall({ to: "+12125550100", task: "t" })).rejects.toMatchObject({
      code: "invalid_phone",
    });
    expect(s.requests[1]?.apiKey).toBeUndefined();
  });

  it("keeps the saved key on a 5xx without a body and on a request that timed out", async () => {
    await store.save(KEY);
    const s = await stub((r) => (r.url === "/balance" ? { status: 500 } : { status: 200, hang: true }));
    const sdk = new ClawCall({ baseUrl: s.url, env: {}, keyStore: store, timeoutMs: 150 });
    await expect(sdk.balance()).rejects.toMatchObject({
      code: "service_unavailable",
      status: 500,
      retryable: true,
    });
    await expect(sdk.getCall("c1")).rejects.toMatchObject({ code: "request_timeout", status: null });
    expect((await store.load())?.api_key).toBe(KEY);
  });

  it("says no key yet instead of sending a keyless read", async () => {
    const s = await stub(() => ({ status: 200, body: {} }));
    const sdk = new ClawCall({ baseUrl: s.url, env: {}, keyStore: store });
    await expect(sdk.balance()).rejects.toMatchObject({ code: "no_api_key" });
    expect(s.requests).toHaveLength(0);
  });

  it("reports an answer that breaks the contract as invalid_response", async () => {
    await store.save(KEY);
    const s = await stub(() => ({ status: 200, body: { balance_seconds: "lots" } }));
    const sdk = new ClawCall({ baseUrl: s.url, env: {}, keyStore: store });
    await expect(sdk.balance()).rejects.toMatchObject({ code: "invalid_response" });
  });
});

describe("callAndWait", () => {
  it("re-places a call that ended with network_error once, silently, and returns the second result", async () => {
    await store.save(KEY);
    let placed = 0;
    const s = await stub((r) => {
      if (r.method === "POST") {
        placed++;
        return {
          status: 201,
          body: {
            call_id: `c${placed}`,
            id: `c${placed}`,
            status: "queued",
            message: "queued",
            api_key: KEY,
          },
        };
      }
      const id = r.url.split("/")[2] ?? "";
      return id === "c1"
        ? {
            status: 200,
            body: callView({
              call_id: id,
              status: "failed",
              lifecycle: "finalized",
              failReason: "network_error",
            }),
          }
        : {
            status: 200,
            body: callView({ call_id: id, status: "completed", lifecycle: "finalized", outcome: "answered" }),
          };
    });
    const pauses: number[] = [];
    const sdk = new ClawCall({
      baseUrl: s.url,
      env: {},
      keyStore: store,
      sleep: async (ms) => void pauses.push(ms),
    });
    const result = await sdk.callAndWait({ to: "+12125550100", task: "t" });
    expect(result.call.call_id).toBe("c2");
    expect(result.retried.map((c) => c.call_id)).toEqual(["c1"]);
    expect(pauses).toEqual([3_000]);
  });

  it("keeps polling through a brief outage", async () => {
    await store.save(KEY);
    let gets = 0;
    const s = await stub(() => {
      gets++;
      if (gets === 2) return { status: 503 };
      return { status: 200, body: callView({ call_id: "c1", status: gets < 3 ? "ringing" : "completed" }) };
    });
    const statuses: string[] = [];
    const sdk = new ClawCall({ baseUrl: s.url, env: {}, keyStore: store, sleep: async () => {} });
    const call = await sdk.waitForCall("c1", { onStatus: (c) => statuses.push(c.status) });
    expect(call.status).toBe("completed");
    expect(statuses).toEqual(["ringing", "completed"]);
  });
});

describe("a recording the carrier is still saving", () => {
  const ended = (gets: number, recording: string | null, pending: boolean) =>
    callView({
      call_id: "c1",
      status: "completed",
      lifecycle: "finalized",
      recordingUrl: recording,
      recording_url: recording,
      _meta: { balance_seconds: 600, recording_pending: pending, gets },
    });

  it("is waited for briefly, so the result carries its link", async () => {
    await store.save(KEY);
    let gets = 0;
    const s = await stub(() => {
      gets++;
      return {
        status: 200,
        body: gets < 3 ? ended(gets, null, true) : ended(gets, "https://rec/1.mp3", false),
      };
    });
    const pauses: number[] = [];
    const sdk = new ClawCall({
      baseUrl: s.url,
      env: {},
      keyStore: store,
      sleep: async (ms) => void pauses.push(ms),
    });
    const call = await sdk.waitForCall("c1");
    expect(call.recordingUrl).toBe("https://rec/1.mp3");
    expect(pauses).toEqual([2_000, 2_000]);
  });

  it("is given up on after 20 s, returning the finished call without it", async () => {
    await store.save(KEY);
    let gets = 0;
    const s = await stub(() => {
      gets++;
      return { status: 200, body: ended(gets, null, true) };
    });
    const pauses: number[] = [];
    const sdk = new ClawCall({
      baseUrl: s.url,
      env: {},
      keyStore: store,
      sleep: async (ms) => void pauses.push(ms),
    });
    const call = await sdk.waitForCall("c1");
    expect(call.status).toBe("completed");
    expect(call.recordingUrl).toBeNull();
    expect(pauses.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(gets).toBe(11);
  });
});

describe("following the event stream", () => {
  it("hands over each transcript line once, in order, even when the final view repeats them", async () => {
    await store.save(KEY);
    const at = (s: number) => `2026-03-04T17:00:0${s}.000Z`;
    const lines = [
      { role: "assistant" as const, text: "Hi, this is Alex.", timestamp: at(1) },
      { role: "user" as const, text: "Go ahead.", timestamp: at(2) },
    ];
    let gets = 0;
    const s = await stub((r) => {
      if (r.url.endsWith("/events")) {
        return {
          status: 200,
          events: [
            { type: "status", status: "in_progress", lifecycle: "answered", at: at(0) },
            { type: "transcript", entry: lines[0] },
            { type: "transcript", entry: lines[1] },
            { type: "status", status: "completed", lifecycle: "finalized", outcome: "answered", at: at(3) },
          ],
        };
      }
      gets++;
      return gets === 1
        ? {
            status: 200,
            body: callView({ call_id: "c1", status: "ringing", lifecycle: "dialing", transcript: [] }),
          }
        : {
            status: 200,
            body: callView({ call_id: "c1", status: "completed", lifecycle: "finalized", transcript: lines }),
          };
    });
    const heard: string[] = [];
    const statuses: string[] = [];
    const sdk = new ClawCall({ baseUrl: s.url, env: {}, keyStore: store, sleep: async () => {} });
    const call = await sdk.waitForCall("c1", {
      follow: "events",
      onTranscript: (e) => heard.push(e.text),
      onStatus: (c) => statuses.push(c.status),
    });
    expect(call.status).toBe("completed");
    expect(heard).toEqual(["Hi, this is Alex.", "Go ahead."]);
    expect(statuses).toEqual(["ringing", "in_progress", "completed"]);
  });

  it("falls back to polling when the stream is refused", async () => {
    await store.save(KEY);
    let gets = 0;
    const s = await stub((r) => {
      if (r.url.endsWith("/events"))
        return { status: 404, body: { error: { code: "not_found", message: "No route." } } };
      gets++;
      return gets === 1
        ? { status: 200, body: callView({ call_id: "c1", status: "ringing", lifecycle: "dialing" }) }
        : {
            status: 200,
            body: callView({ call_id: "c1", status: "failed", lifecycle: "finalized", failReason: "busy" }),
          };
    });
    const sdk = new ClawCall({ baseUrl: s.url, env: {}, keyStore: store, sleep: async () => {} });
    expect((await sdk.waitForCall("c1", { follow: "events" })).failReason).toBe("busy");
    expect(s.requests.map((r) => r.url)).toEqual(["/call/c1", "/call/c1/events", "/call/c1"]);
  });
});
