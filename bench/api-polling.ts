/**
 * GET /call/{id} polling under load: the service runs in its own process as `npm start` runs it (built,
 * then plain node) and autocannon drives it from this one over loopback. Prints requests/s and latency
 * percentiles.
 *
 * The sandbox callees' lines are synthesised into a speech cache kept between runs before the service
 * starts: a fresh service otherwise spends its first tens of seconds synthesising every persona line
 * (flite in a worker, resampling on the main thread), and the numbers would measure that instead.
 */
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import autocannon from "autocannon";
import { personaUtterances } from "../packages/server/src/sandbox/personas/lines.ts";
import { FliteCalleeSpeech } from "../packages/server/src/sandbox/speech/callee-speech.ts";
import { startServiceProcess } from "./real-path-service.ts";

const SPEECH_CACHE = path.join(os.tmpdir(), "clawcall-bench-speech");

/** Fills the speech cache the service reads at start (once per machine: later runs find every line). */
async function warmSpeechCache(): Promise<void> {
  const speech = new FliteCalleeSpeech({ cacheDir: SPEECH_CACHE });
  try {
    await speech.warm(personaUtterances());
  } finally {
    await speech.close();
  }
}

export interface PollingResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** One-minute load average at the end: other processes on the machine take the same cores. */
  loadAverage: number;
}

export async function runPollingBench({ seconds = 10, connections = 32 } = {}): Promise<PollingResult> {
  await warmSpeechCache();
  const service = await startServiceProcess({
    // The limit stays on the path (its counter is part of every request's cost), far above the load.
    CLAWCALL_REQUESTS_PER_MINUTE: "100000000",
    CLAWCALL_SANDBOX_RING_SECONDS: "0.2",
    CLAWCALL_SANDBOX_SPEECH_CACHE: SPEECH_CACHE,
  });
  try {
    const created = await fetch(`${service.url}/call`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ to: "+12125550101", task: "Benchmark call." }),
    }).then((r) => r.json() as Promise<{ call_id: string; api_key: string }>);
    // Let the call reach its final state so every poll reads the same, complete record.
    await sleep(500);

    const target = {
      url: `${service.url}/call/${created.call_id}`,
      headers: { "x-api-key": created.api_key },
      connections,
    };
    // Two seconds unmeasured first: the numbers are the warm process's, not its JIT's first passes.
    await autocannon({ ...target, duration: 2 });
    const result = await autocannon({ ...target, duration: seconds });
    return {
      requestsPerSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors,
      non2xx: result.non2xx,
      loadAverage: Math.round(os.loadavg()[0]! * 10) / 10,
    };
  } finally {
    await service.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runPollingBench();
  console.log(
    `GET /call/{id}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (errors ${r.errors}, non-2xx ${r.non2xx}; load ${r.loadAverage})`,
  );
}
