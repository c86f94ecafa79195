/**
 * Concurrent sandbox calls through the service as users run it: `npm start`'s built server in its own
 * process on the embedded default (SQLite, the sandbox carrier, its personas and offline speech, calls
 * recorded), with a scripted model behind a loopback fake of OpenAI's API as the only addition (without a
 * model there is no agent). Each step places N calls with POST /call to 0110, the hold queue: a welcome,
 * hold music with announcements for CLAWCALL_SANDBOX_HOLD_SECONDS (20 s by default), then a person the
 * agent confirms an appointment with. The music gives every call the same steady audio for a window; the
 * conversations after it all start together, the hardest case for turn latency.
 *
 * Measured per step: the service process's CPU and resident set over the window in the hold (its
 * pocketsphinx children apart), the same CPU over the whole calls, inbound frame jitter at the agent's
 * side of every line (the service's own histogram), turn latency from the final call views, and how many
 * calls ended as the callee expects. A step holds when frame jitter p99 stays under 20 ms and every call
 * gets its appointment handled.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { percentile } from "../packages/server/src/observability/latency.ts";
import { personaUtterances } from "../packages/server/src/sandbox/personas/lines.ts";
import { FliteCalleeSpeech } from "../packages/server/src/sandbox/speech/callee-speech.ts";
import { pocketsphinxAvailable } from "../packages/server/src/sandbox/speech/pocketsphinx-stt.ts";
import { startFakeOpenAi } from "../packages/server/test/fakes/index.ts";
import { scriptedAgentModel } from "../packages/server/test/scenarios/scripted-model.ts";
import {
  childCpuPercent,
  cpuPercent,
  loadAverage,
  sampleUsage,
  type UsageSample,
  untilQuiet,
} from "./process-usage.ts";
import { startServiceProcess } from "./real-path-service.ts";
import { referenceJitter } from "./reference-jitter.ts";
import { BENCH_SPEECH_CACHE, placeCalls, untilAllFinal } from "./service-calls.ts";
import { percentileBetween, readHistogram } from "./service-metrics.ts";

const TASK = "Call to confirm Jordan Lee's appointment on Tuesday.";
const TO = "+12125550110";
const JITTER_LIMIT_MS = 20;
const JITTER = "clawcall_sandbox_frame_jitter_seconds";

export interface SandboxCallsOptions {
  steps?: number[];
  holdSeconds?: number;
  /** From the last POST /call to the window: the rings, the welcome, the music started. */
  warmupMs?: number;
  windowMs?: number;
  /**
   * The agent hears callees with pocketsphinx (the default when it is installed) or, when false, with
   * the persona-line reader (CLAWCALL_SANDBOX_POCKETSPHINX=false).
   */
  pocketsphinx?: boolean;
  onStep?: (step: SandboxStep) => void;
}

export interface SandboxStep {
  calls: number;
  /** Service process CPU in the hold window, percent of one core: all calls, and per call. */
  cpuPercent: number;
  cpuPercentPerCall: number;
  /**
   * Service CPU per inbound frame delivered in the window, in µs, and what a call costs at that rate
   * when its frames all keep pace (50 a second): a starved process delivers fewer frames and shows
   * less CPU than it needs, so this is the fairer figure on a busy machine.
   */
  cpuMicrosPerFrame: number | null;
  cpuPercentPerCallAtPace: number | null;
  /** Its pocketsphinx children (when installed) in the same window, per call. */
  childCpuPercentPerCall: number;
  /** The service's CPU from the first POST to the last final view, per call per second of its life. */
  wholeCallCpuPercentPerCall: number;
  /** Resident set at the end of the window over the idle service, per call (an upper bound). */
  rssMbPerCall: number;
  childRssMbPerCall: number;
  jitterP50Ms: number | null;
  jitterP99Ms: number | null;
  frames: number;
  /** Median of the calls' own turn p50s, and the 95th percentile of their turn p95s. */
  turnP50Ms: number | null;
  turnP95Ms: number | null;
  /** Calls whose callee handled the appointment. */
  handled: number;
  /** What the callee of one call that was not handled said of it. */
  notHandled: string | null;
  failed: number;
  loadAverage: number;
  /** p99 jitter of a lone 20 ms timer in another process over the same window (null if it failed). */
  machineJitterP99Ms: number | null;
  /**
   * Broke while that lone timer reached half the limit and the service's children used little: the
   * machine's neighbours, not the calls, decided. The ramp goes on past such a step.
   */
  inconclusive: boolean;
  held: boolean;
}

export interface SandboxCallsResult {
  steps: SandboxStep[];
  recognition: string;
  idleRssMb: number;
  holdSeconds: number;
  highestHeld: number | null;
}

interface FinalView {
  status?: string;
  outcome?: string;
  _meta?: {
    latency?: { turn_p50_ms: number | null; turn_p95_ms: number | null };
    sandbox?: { verdict?: { actions?: { action: string }[]; nothing_done?: string | null } };
  };
}

const round = (v: number | null, digits = 1) =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

export async function runSandboxCallsBench(options: SandboxCallsOptions = {}): Promise<SandboxCallsResult> {
  const steps = options.steps ?? [25, 50, 100, 200];
  const holdSeconds = options.holdSeconds ?? 20;
  const warmupMs = options.warmupMs ?? 6000;
  const windowMs = options.windowMs ?? Math.min(10_000, holdSeconds * 1000 - warmupMs);
  const largest = Math.max(...steps);

  // The personas' lines from disk, as a service that ran before has them: a first start would
  // synthesise them all in the background during the first step.
  const warm = new FliteCalleeSpeech({ cacheDir: BENCH_SPEECH_CACHE });
  await warm.warm(personaUtterances()).finally(() => warm.close());

  const llm = await startFakeOpenAi();
  llm.chat.setDefault(scriptedAgentModel);
  // The service makes the same check when it builds its sandbox speech.
  const sphinx = (options.pocketsphinx ?? true) && pocketsphinxAvailable();
  const recognition = sphinx ? "pocketsphinx" : "the persona-line reader";
  const service = await startServiceProcess({
    OPENAI_API_KEY: "sk-bench",
    OPENAI_BASE_URL: llm.url,
    CLAWCALL_LLM: "openai",
    CLAWCALL_SANDBOX_SPEECH_CACHE: BENCH_SPEECH_CACHE,
    CLAWCALL_SANDBOX_RING_SECONDS: "1",
    CLAWCALL_SANDBOX_HOLD_SECONDS: String(holdSeconds),
    CLAWCALL_SANDBOX_POOL_SIZE: String(largest),
    CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: String(largest),
    CLAWCALL_FREE_RINGING_PER_CLIENT: String(largest),
    CLAWCALL_FREE_SECONDS: "100000000",
    CLAWCALL_CONNECTIONS_PER_ADDRESS: "1000",
    CLAWCALL_SANDBOX_POCKETSPHINX: String(sphinx),
  });
  const pid = service.child.pid!;
  const results: SandboxStep[] = [];
  let idleRssMb = 0;
  try {
    await untilQuiet(pid, 3, 60_000);
    const idle = sampleUsage(pid);
    idleRssMb = Math.round(idle.rssMb);
    let key: string | undefined;
    for (const n of steps) {
      const start = sampleUsage(pid);
      const placed = await placeCalls(service.url, key, n, { to: TO, task: TASK });
      key = placed.key;
      await sleep(warmupMs);
      const jitterBefore = await readHistogram(service.url, JITTER);
      const from = sampleUsage(pid);
      const machine = referenceJitter(windowMs);
      await sleep(windowMs);
      const to = sampleUsage(pid);
      const machineJitter = await machine;
      const jitterAfter = await readHistogram(service.url, JITTER);
      const views = (await untilAllFinal(service.url, key, placed.callIds, 240_000)) as FinalView[];
      const end = sampleUsage(pid);
      const step = summarise(n, { idle, start, from, to, end }, views);
      const p99 = percentileBetween(jitterBefore, jitterAfter, 99);
      step.jitterP99Ms = p99.ms;
      step.jitterP50Ms = percentileBetween(jitterBefore, jitterAfter, 50).ms;
      step.frames = p99.count;
      if (p99.count > 0) {
        const perFrame = ((to.cpuSeconds - from.cpuSeconds) * 1e6) / p99.count;
        step.cpuMicrosPerFrame = Math.round(perFrame * 10) / 10;
        step.cpuPercentPerCallAtPace = Math.round(((perFrame * 50) / 1e6) * 100 * 1000) / 1000;
      }
      step.held = p99.ms !== null && p99.ms <= JITTER_LIMIT_MS && step.handled === n && step.failed === 0;
      step.machineJitterP99Ms = machineJitter === null ? null : Math.round(machineJitter * 10) / 10;
      // Neighbours decided only if the service's own recognisers were not what loaded the machine.
      const ownChildren = step.childCpuPercentPerCall * n;
      step.inconclusive =
        !step.held && machineJitter !== null && machineJitter >= JITTER_LIMIT_MS / 2 && ownChildren < 25;
      results.push(step);
      options.onStep?.(step);
      // A step that broke on its own says enough: a larger one would only load the machine longer.
      if (!step.held && !step.inconclusive) break;
      // Let the finished calls' work (recordings, webhooks, the flite worker) settle before the next step.
      await untilQuiet(pid, 5, 30_000);
    }
  } finally {
    await service.stop();
    await llm.close();
  }
  const held = results.filter((s) => s.held).map((s) => s.calls);
  return {
    steps: results,
    recognition,
    idleRssMb,
    holdSeconds,
    highestHeld: held.length > 0 ? Math.max(...held) : null,
  };
}

function summarise(
  n: number,
  s: { idle: UsageSample; start: UsageSample; from: UsageSample; to: UsageSample; end: UsageSample },
  views: FinalView[],
): SandboxStep {
  const cpu = cpuPercent(s.from, s.to);
  const p50s = views.flatMap((v) => v._meta?.latency?.turn_p50_ms ?? []);
  const p95s = views.flatMap((v) => v._meta?.latency?.turn_p95_ms ?? []);
  const isHandled = (v: FinalView) =>
    v._meta?.sandbox?.verdict?.actions?.some((a) => a.action === "handled") ?? false;
  const handled = views.filter(isHandled).length;
  const missed = views.find((v) => !isHandled(v));
  // Each call lived about as long as the step: the whole step's CPU shared over its calls.
  const wholeSeconds = (s.end.at - s.start.at) / 1000;
  return {
    calls: n,
    cpuPercent: round(cpu)!,
    cpuPercentPerCall: round(cpu / n, 2)!,
    childCpuPercentPerCall: round(childCpuPercent(s.from, s.to) / n, 2)!,
    wholeCallCpuPercentPerCall: round(((s.end.cpuSeconds - s.start.cpuSeconds) / wholeSeconds / n) * 100, 2)!,
    rssMbPerCall: round((s.to.rssMb - s.idle.rssMb) / n, 2)!,
    childRssMbPerCall: round(s.to.childRssMb / n, 2)!,
    cpuMicrosPerFrame: null,
    cpuPercentPerCallAtPace: null,
    jitterP50Ms: null,
    jitterP99Ms: null,
    frames: 0,
    turnP50Ms: round(percentile(p50s, 50)),
    turnP95Ms: round(percentile(p95s, 95)),
    handled,
    notHandled: missed
      ? `${missed.status}/${missed.outcome}: ${missed._meta?.sandbox?.verdict?.nothing_done ?? "no verdict"}`
      : null,
    failed: views.filter((v) => v.status !== "completed").length,
    loadAverage: loadAverage(),
    machineJitterP99Ms: null,
    inconclusive: false,
    held: false,
  };
}

export function formatSandboxStep(s: SandboxStep): string {
  return (
    `  ${String(s.calls).padStart(4)} calls: service CPU ${s.cpuPercent}% (${s.cpuPercentPerCall}%/call in the hold, ` +
    `${s.wholeCallCpuPercentPerCall}%/call over whole calls; ${s.cpuMicrosPerFrame} µs per frame delivered, ` +
    `${s.cpuPercentPerCallAtPace}%/call at full pace), RSS +${s.rssMbPerCall} MB/call; ` +
    `pocketsphinx ${s.childCpuPercentPerCall}%/call, ${s.childRssMbPerCall} MB/call; ` +
    `frame jitter p50 ≤${s.jitterP50Ms} ms, p99 ≤${s.jitterP99Ms} ms (${s.frames} frames); ` +
    `turn p50 ${s.turnP50Ms} ms, p95 ${s.turnP95Ms} ms; handled ${s.handled}/${s.calls}` +
    `${s.notHandled ? ` (one not: ${s.notHandled})` : ""}, failed ${s.failed}; ` +
    `${s.held ? "holds" : s.inconclusive ? "breaks on a busy machine" : "BREAKS"} ` +
    `(a lone timer in another process: jitter p99 ${s.machineJitterP99Ms ?? "n/a"} ms; load ${s.loadAverage})`
  );
}

export function formatSandboxCalls(r: SandboxCallsResult): string {
  return [
    `sandbox path: built service process, embedded default (SQLite, sandbox carrier, recording on), agent hearing by ${r.recognition || "?"}, flite voice, scripted model on a loopback OpenAI fake; calls to 0110 (hold queue ${r.holdSeconds} s, then a person); idle RSS ${r.idleRssMb} MB`,
    ...r.steps.map(formatSandboxStep),
    `  highest N that holds (jitter p99 ≤ ${JITTER_LIMIT_MS} ms, every call handled): ${r.highestHeld ?? "none"}`,
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const steps = process.env["BENCH_STEPS"]?.split(",").map(Number);
  const hold = process.env["BENCH_HOLD_SECONDS"];
  const sphinx = process.env["BENCH_POCKETSPHINX"];
  console.log(
    formatSandboxCalls(
      await runSandboxCallsBench({
        ...(steps ? { steps } : {}),
        ...(hold ? { holdSeconds: Number(hold) } : {}),
        ...(sphinx ? { pocketsphinx: sphinx !== "false" } : {}),
        onStep: (s) => console.error(formatSandboxStep(s)),
      }),
    ),
  );
}
