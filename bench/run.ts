/**
 * `npm run bench`: every benchmark in turn, each printing its own numbers. Only loopback traffic.
 * The headline comes first: turn latency on the real path (the service's own process, the Telnyx
 * adapter, the real provider adapters). Select some with `npm run bench -- real polling turn`.
 * `calls` drives concurrent calls through the service process, on the sandbox and on the Telnyx path.
 */
import { runPollingBench } from "./api-polling.ts";
import { formatConcurrentCalls, runConcurrentCallsBench } from "./concurrent-calls.ts";
import { formatIdleMemory, runIdleMemoryBench } from "./idle-memory.ts";
import { formatRealPath, runRealPathBench } from "./real-path.ts";
import {
  formatSandboxCalls,
  formatSandboxStep,
  runSandboxCallsBench,
  type SandboxStep,
} from "./sandbox-calls.ts";
import { formatTelnyxCalls, runTelnyxCallsBench } from "./telnyx-calls.ts";
import { formatTurnLatency, runTurnLatencyBench } from "./turn-latency.ts";

type Bench = { name: string; run: () => Promise<string> };

const benches: Bench[] = [
  { name: "real", run: async () => formatRealPath(await runRealPathBench()) },
  {
    name: "polling",
    run: async () => {
      const r = await runPollingBench();
      return `GET /call/{id} polling from a second process: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (errors ${r.errors}, non-2xx ${r.non2xx}; load ${r.loadAverage})`;
    },
  },
  {
    name: "turn",
    run: async () =>
      `in-process micro-benchmark (voice session and agent with in-memory fakes, no service, carrier or vendor wire):\n${formatTurnLatency(await runTurnLatencyBench())}`,
  },
  {
    name: "calls",
    run: async () => {
      // BENCH_QUICK=1: a look in a couple of minutes (small steps, a short hold, fewer Telnyx calls).
      const quick = process.env["BENCH_QUICK"] === "1";
      const progress = (s: SandboxStep) => console.error(`[calls] ${formatSandboxStep(s).trim()}`);
      const holdSeconds = quick ? 14 : 20;
      // The embedded default first: pocketsphinx hears the callees where it is installed.
      const asInstalled = await runSandboxCallsBench({
        steps: quick ? [10, 25] : [25, 50, 100, 200],
        holdSeconds,
        onStep: progress,
      });
      const parts = [formatSandboxCalls(asInstalled)];
      // Then the service's own cost, without a recogniser process per call.
      if (asInstalled.recognition === "pocketsphinx")
        parts.push(
          formatSandboxCalls(
            await runSandboxCallsBench({
              steps: quick ? [25, 50] : [100, 200],
              holdSeconds,
              pocketsphinx: false,
              onStep: progress,
            }),
          ),
        );
      parts.push(formatTelnyxCalls(await runTelnyxCallsBench({ calls: quick ? 10 : 50 })));
      return parts.join("\n");
    },
  },
  {
    name: "concurrency",
    run: async () =>
      `micro-benchmark (bare sandbox media pairs with VAD in the bench's process: no service, recogniser, agent, voice, recording or database):\n${formatConcurrentCalls(await runConcurrentCallsBench())}`,
  },
  { name: "idle", run: async () => formatIdleMemory(await runIdleMemoryBench()) },
];

const wanted = process.argv.slice(2);
let running: string | null = null;
// A bench left awaiting work that can never finish empties the event loop: Node then ends the program
// with exit code 13 and, run through tsx, prints nothing.
process.on("exit", () => {
  if (running !== null) console.error(`[${running}] stopped unfinished: it awaited work that never ended`);
});
for (const b of benches) {
  if (wanted.length > 0 && !wanted.includes(b.name)) continue;
  running = b.name;
  console.log(`[${b.name}] ${await b.run()}`);
  running = null;
}
