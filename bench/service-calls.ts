/** Placing many calls on a running service and waiting for their final views, for the concurrency benches. */
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The personas' synthesised lines, kept between bench runs as a service keeps them between starts. */
export const BENCH_SPEECH_CACHE = path.join(os.tmpdir(), "clawcall-bench-speech-cache");

/** POSTs at once: enough to place 200 calls in a few seconds without queueing on the connection limit. */
const PLACING_AT_ONCE = 10;

/**
 * Places `n` calls with POST /call under one key (minted by the first call when none is given), a few
 * requests at a time, and returns their ids in order.
 */
export async function placeCalls(
  url: string,
  key: string | undefined,
  n: number,
  body: Record<string, unknown>,
): Promise<{ key: string; callIds: string[] }> {
  const place = async (apiKey: string | undefined) => {
    const res = await fetch(`${url}/call`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(apiKey ? { "x-api-key": apiKey } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const created = (await res.json()) as { call_id?: string; api_key?: string };
    if (res.status !== 201 || !created.call_id)
      throw new Error(`POST /call answered ${res.status}: ${JSON.stringify(created)}`);
    return created as { call_id: string; api_key?: string };
  };
  const callIds: string[] = [];
  let apiKey = key;
  if (!apiKey) {
    const first = await place(undefined);
    apiKey = first.api_key;
    if (!apiKey) throw new Error("the first POST /call minted no key");
    callIds.push(first.call_id);
  }
  while (callIds.length < n) {
    const batch = Math.min(PLACING_AT_ONCE, n - callIds.length);
    const placed = await Promise.all(Array.from({ length: batch }, () => place(apiKey)));
    callIds.push(...placed.map((p) => p.call_id));
  }
  return { key: apiKey, callIds };
}

/** Reads every call's view until all are final; returns the final views in the calls' order. */
export async function untilAllFinal(
  url: string,
  key: string,
  callIds: readonly string[],
  timeoutMs: number,
): Promise<unknown[]> {
  const deadline = performance.now() + timeoutMs;
  const finals = new Map<string, unknown>();
  for (;;) {
    for (const id of callIds) {
      if (finals.has(id)) continue;
      const res = await fetch(`${url}/call/${id}`, {
        headers: { "x-api-key": key },
        signal: AbortSignal.timeout(10_000),
      });
      const view = (await res.json()) as { status?: string };
      if (view.status === "completed" || view.status === "failed") finals.set(id, view);
    }
    if (finals.size === callIds.length) return callIds.map((id) => finals.get(id));
    if (performance.now() > deadline)
      throw new Error(`${callIds.length - finals.size} of ${callIds.length} calls not final in time`);
    // Rarely: reading views costs the service too, and the calls still running share that process.
    await sleep(2000);
  }
}
