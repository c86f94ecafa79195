/**
 * Concurrent calls (issue 3, bench item c): how many sandbox calls one process sustains with
 * full-duplex, 20 ms-paced audio and local VAD while inbound frame jitter stays under 20 ms p99, and
 * what each call costs in CPU and memory.
 *
 * Every call is a real sandbox line (`createMediaPair`). The callee loops a line of speech synthesised
 * once by flite (tones when flite is unavailable) with pauses between; the agent runs the service's VAD
 * and end-of-turn detector on every inbound frame and, after each detected end of turn, replies with a
 * buffered clip, so both directions carry audio. Steps ramp the number of calls until jitter breaks.
 * Run alone with `npx tsx bench/concurrent-calls.ts`, or call `runConcurrentCallsBench()`.
 */
import { availableParallelism, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { analyzeFrame, bytesForMs, createFrameFeatures } from "../packages/server/src/media/frames.ts";
import { FRAME_MS } from "../packages/server/src/media/media-stream.ts";
import { createMediaPair, type MediaPair, MULAW_SILENCE } from "../packages/server/src/sandbox/media-pair.ts";
import { FliteCalleeSpeech } from "../packages/server/src/sandbox/speech/callee-speech.ts";
import { frameAligned, holdMusic, voicemailBeep } from "../packages/server/src/sandbox/speech/tones.ts";
import { EndOfTurnDetector } from "../packages/server/src/voice/end-of-turn.ts";
import { VoiceActivityDetector } from "../packages/server/src/voice/vad.ts";
import { exposeGc } from "./harness-process.ts";
import { Histogram } from "./histogram.ts";
import { referenceJitter } from "./reference-jitter.ts";

export interface ConcurrentCallsOptions {
  /** Numbers of simultaneous calls to try, in order; the ramp stops at the first step that breaks for good. */
  steps?: number[];
  /** Time after the calls are up before measuring (lets timers and the heap settle). */
  warmupMs?: number;
  /** Measured window per step. */
  steadyMs?: number;
  /** p99 frame jitter a step must stay under to hold. */
  jitterLimitMs?: number;
  /**
   * Re-runs allowed (over the whole ramp) of a step that broke while a lone timer in another process
   * reached half the limit or more: on a machine that busy the neighbours, not the calls, decide.
   */
  noisyRetries?: number;
  /** Told after each step, for progress output. */
  onStep?: (step: ConcurrencyStep) => void;
}

export interface ConcurrencyStep {
  calls: number;
  /** Inbound frames at the agent side inside the measured window, over all calls. */
  frames: number;
  /** |inter-arrival − 20 ms| of inbound frames at the agent side, pooled over all calls. */
  jitterP50Ms: number;
  jitterP99Ms: number;
  jitterMaxMs: number;
  /** The worst single call's p99 jitter (1 ms resolution). */
  worstCallP99Ms: number;
  /** Frames per second each side received, averaged over calls (50 when the line keeps pace). */
  agentFramesPerSecond: number;
  calleeFramesPerSecond: number;
  /** Ends of turn the agent's detector found per call per minute, each answered unless a reply still plays. */
  turnsPerCallPerMinute: number;
  /** Process CPU over the measured window, in percent of one core: all calls, and per call. */
  cpuPercentTotal: number;
  cpuPercentPerCall: number;
  /**
   * Resident memory at the end of the window over the idle process before the first step, per call:
   * an upper bound, since pages a larger earlier step took are not always given back.
   */
  rssMbPerCall: number;
  /** Heap the calls keep alive (after a full collection, when one can be forced), per call. */
  heapMbPerCall: number;
  /** Heap in use at the end of the window, garbage included, over the step's idle heap, per call. */
  liveHeapMbPerCall: number;
  /** One-minute load average when the step ended: other processes on the machine also cost jitter. */
  loadAverage: number;
  /**
   * p99 jitter of one bare 20 ms timer in a separate process over the same window: what the machine
   * alone imposes, to tell our own cost from neighbours' (null if it could not run).
   */
  machineJitterP99Ms: number | null;
  /** Broke while the machine alone reached half the limit; re-run when retries were left. */
  inconclusive: boolean;
  held: boolean;
}

export interface ConcurrentCallsResult {
  steps: ConcurrencyStep[];
  /** Largest step that held, or null when even the first broke. */
  sustained: ConcurrencyStep | null;
  /**
   * CPU each added call costs, from the smallest to the largest step that held (percent of a core):
   * per-call figures of small steps carry the process's fixed cost, this slope does not.
   */
  marginalCpuPercentPerCall: number | null;
  jitterLimitMs: number;
  cores: number;
  /** Where the callee's audio came from. */
  audio: "flite" | "tones";
}

// Deviation histogram: 0.05 ms bins up to 200 ms, the last bin catching everything beyond.
const BIN_MS = 0.05;
const BINS = 4000;
// Per-call histogram at 1 ms resolution: small enough not to weigh on the per-call memory figure.
const CALL_BINS = 64;

const CALLEE_TEXT = "Front desk, how can I help you?";
const AGENT_TEXT = "Could you book me in for Thursday at three?";
const PAUSES_MS = [1100, 1400, 1700, 2000];

interface Audio {
  calleeLine: Uint8Array;
  agentReply: Uint8Array;
  source: "flite" | "tones";
}

async function prepareAudio(): Promise<Audio> {
  const speech = new FliteCalleeSpeech();
  try {
    const [calleeLine, agentReply] = await Promise.all([
      speech.line(CALLEE_TEXT, "kal"),
      speech.line(AGENT_TEXT, "slt"),
    ]);
    return { calleeLine, agentReply, source: "flite" };
  } catch {
    // Beep and music are loud and sustained enough for the VAD to treat them as a turn.
    const beep = voicemailBeep(0.3, 700);
    const calleeLine = new Uint8Array(beep.length * 3 + frameAligned(bytesForMs(200)) * 2).fill(
      MULAW_SILENCE,
    );
    const gap = frameAligned(bytesForMs(200));
    for (let i = 0; i < 3; i++) calleeLine.set(beep, i * (beep.length + gap));
    return { calleeLine, agentReply: holdMusic(0.5), source: "tones" };
  } finally {
    await speech.close();
  }
}

interface Call {
  pair: MediaPair;
  jitter: Histogram;
  agentFrames: number;
  calleeFrames: number;
  turns: number;
}

/** A seeded generator, so every run staggers the calls the same way. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Shared {
  audio: Audio;
  pauses: Uint8Array[];
  pooled: Histogram;
  measuring: boolean;
}

function startCall(shared: Shared, rand: () => number): Call {
  const pair = createMediaPair({});
  const call: Call = { pair, jitter: new Histogram(CALL_BINS, 1), agentFrames: 0, calleeFrames: 0, turns: 0 };
  const { audio, pauses } = shared;

  // The callee talks in a loop: line, pause, line... re-queued from the mark, so no timer of its own.
  pair.callee.attach({
    onAudio: () => {
      if (shared.measuring) call.calleeFrames++;
    },
    onMark: () => {
      pair.callee.send(audio.calleeLine);
      pair.callee.send(pauses[Math.floor(rand() * pauses.length)]!);
      pair.callee.mark("line");
    },
  });
  // Start somewhere inside the loop, so calls do not all speak in step.
  const start = frameAligned(Math.floor(rand() * audio.calleeLine.length)) % audio.calleeLine.length;
  pair.callee.send(audio.calleeLine.subarray(start));
  pair.callee.send(pauses[Math.floor(rand() * pauses.length)]!);
  pair.callee.mark("line");

  // The agent: what the voice session does per inbound frame, minus the recogniser.
  const features = createFrameFeatures();
  const vad = new VoiceActivityDetector();
  const endOfTurn = new EndOfTurnDetector();
  let replying = false;
  let last = -1;
  pair.agent.attach({
    onAudio: (frame) => {
      const now = performance.now();
      if (shared.measuring) {
        call.agentFrames++;
        if (last >= 0) {
          const deviation = Math.abs(now - last - FRAME_MS);
          shared.pooled.add(deviation);
          call.jitter.add(deviation);
        }
      }
      last = now;
      analyzeFrame(frame, features);
      vad.process(features);
      if (vad.voiced) endOfTurn.onSpeech();
      let action = endOfTurn.evaluate(vad.frames - 1, vad.speaking, vad.lastVoicedFrame);
      if (action.type === "flush") {
        // Stands in for a recogniser answering the flush at once with what the callee said.
        endOfTurn.onFinal(CALLEE_TEXT, true);
        action = endOfTurn.evaluate(vad.frames - 1, vad.speaking, vad.lastVoicedFrame);
      }
      if (action.type === "turn") {
        if (shared.measuring) call.turns++;
        if (!replying) {
          replying = true;
          pair.agent.send(audio.agentReply);
          pair.agent.mark("reply");
        }
      }
    },
    onMark: () => {
      replying = false;
    },
  });
  return call;
}

async function runStep(
  shared: Shared,
  calls: number,
  o: Required<Omit<ConcurrentCallsOptions, "onStep">>,
  gc: (() => void) | null,
  idleRss: number,
): Promise<ConcurrencyStep> {
  gc?.();
  const before = process.memoryUsage();
  const rand = random(calls);
  const live: Call[] = [];
  // Spread the calls over one frame period, as independent calls would be.
  const perMs = Math.ceil(calls / FRAME_MS);
  while (live.length < calls) {
    for (let i = 0; i < perMs && live.length < calls; i++) live.push(startCall(shared, rand));
    await sleep(1);
  }
  await sleep(o.warmupMs);

  shared.pooled = new Histogram(BINS, BIN_MS);
  const reference = referenceJitter(o.steadyMs);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  shared.measuring = true;
  await sleep(o.steadyMs);
  shared.measuring = false;
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  const inUse = process.memoryUsage();
  gc?.();
  const after = process.memoryUsage();

  for (const c of live) c.pair.end("hangup");
  const machineJitter = await reference;
  const pooled = shared.pooled;
  const sum = (f: (c: Call) => number) => live.reduce((acc, c) => acc + f(c), 0);
  const cpuPercentTotal = ((cpu.user + cpu.system) / 1e6 / seconds) * 100;
  const jitterP99Ms = pooled.percentile(99);
  const mb = (bytes: number) => bytes / 1024 / 1024 / calls;
  const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
  return {
    calls,
    frames: sum((c) => c.agentFrames),
    jitterP50Ms: round(pooled.percentile(50)),
    jitterP99Ms: round(jitterP99Ms),
    jitterMaxMs: round(pooled.max),
    worstCallP99Ms: round(Math.max(...live.map((c) => c.jitter.percentile(99)))),
    agentFramesPerSecond: round(sum((c) => c.agentFrames) / calls / seconds, 1),
    calleeFramesPerSecond: round(sum((c) => c.calleeFrames) / calls / seconds, 1),
    turnsPerCallPerMinute: round((sum((c) => c.turns) / calls / seconds) * 60, 1),
    cpuPercentTotal: round(cpuPercentTotal, 1),
    cpuPercentPerCall: round(cpuPercentTotal / calls, 3),
    rssMbPerCall: round(mb(inUse.rss - idleRss), 3),
    heapMbPerCall: round(mb(after.heapUsed - before.heapUsed), 3),
    liveHeapMbPerCall: round(mb(inUse.heapUsed - before.heapUsed), 3),
    loadAverage: round(loadavg()[0]!, 1),
    machineJitterP99Ms: machineJitter === null ? null : round(machineJitter),
    held: jitterP99Ms < o.jitterLimitMs,
    inconclusive:
      jitterP99Ms >= o.jitterLimitMs && machineJitter !== null && machineJitter >= o.jitterLimitMs / 2,
  };
}

export async function runConcurrentCallsBench(
  options: ConcurrentCallsOptions = {},
): Promise<ConcurrentCallsResult> {
  const o = {
    steps: [100, 200, 300, 500, 700, 1000, 1500, 2000],
    warmupMs: 2000,
    steadyMs: 10_000,
    jitterLimitMs: 20,
    noisyRetries: 2,
    ...options,
  };
  const audio = await prepareAudio();
  const pauses = PAUSES_MS.map((ms) => new Uint8Array(frameAligned(bytesForMs(ms))).fill(MULAW_SILENCE));
  const shared: Shared = { audio, pauses, pooled: new Histogram(BINS, BIN_MS), measuring: false };
  const gc = exposeGc();
  gc?.();
  const idleRss = process.memoryUsage().rss;
  const steps: ConcurrencyStep[] = [];
  let retries = o.noisyRetries;
  for (let i = 0; i < o.steps.length; i++) {
    const step = await runStep(shared, o.steps[i]!, o, gc, idleRss);
    steps.push(step);
    o.onStep?.(step);
    // Let the ended lines' timers and buffers go before the next step's baseline.
    await sleep(300);
    if (step.held) continue;
    if (step.inconclusive && retries > 0) {
      retries--;
      i--;
      continue;
    }
    break;
  }
  const held = steps.filter((s) => s.held);
  const first = held[0];
  const sustained = held.length > 0 ? held[held.length - 1]! : null;
  const marginal =
    first !== undefined && sustained !== null && sustained.calls > first.calls
      ? Math.round(
          ((sustained.cpuPercentTotal - first.cpuPercentTotal) / (sustained.calls - first.calls)) * 1000,
        ) / 1000
      : null;
  return {
    steps,
    sustained,
    marginalCpuPercentPerCall: marginal,
    jitterLimitMs: o.jitterLimitMs,
    cores: availableParallelism(),
    audio: audio.source,
  };
}

export function formatStep(s: ConcurrencyStep): string {
  return (
    `${String(s.calls).padStart(5)} calls: jitter p50 ${s.jitterP50Ms} ms, p99 ${s.jitterP99Ms} ms, max ${s.jitterMaxMs} ms ` +
    `(worst call p99 ${s.worstCallP99Ms} ms); frames/s agent ${s.agentFramesPerSecond}, callee ${s.calleeFramesPerSecond}; ` +
    `turns/call/min ${s.turnsPerCallPerMinute}; CPU ${s.cpuPercentTotal}% of a core (${s.cpuPercentPerCall}%/call); ` +
    `RSS ${s.rssMbPerCall} MB/call, heap ${s.heapMbPerCall} MB/call retained, ${s.liveHeapMbPerCall} with garbage; load ${s.loadAverage}, ` +
    `a lone timer in another process: p99 ${s.machineJitterP99Ms ?? "n/a"} ms${s.held ? "" : s.inconclusive ? "  ← broke, on a busy machine" : "  ← broke"}`
  );
}

export function formatConcurrentCalls(r: ConcurrentCallsResult): string {
  const s = r.sustained;
  const headline =
    s === null
      ? `no step held p99 jitter under ${r.jitterLimitMs} ms`
      : `${s.calls} calls held (p99 jitter ${s.jitterP99Ms} ms < ${r.jitterLimitMs} ms) at ${s.cpuPercentPerCall}% of a core ` +
        `(${r.marginalCpuPercentPerCall ?? "n/a"}% for each added call) and ${s.rssMbPerCall} MB RSS per call  ` +
        "(target: 500 calls, < 0.5% and < 2 MB each)";
  const last = r.steps[r.steps.length - 1];
  const caveat = last?.inconclusive
    ? [
        "  the ramp ended on a step where a lone timer in another process had half the limit or more: the machine was busy, a quieter run may hold more",
      ]
    : [];
  return [
    `concurrent sandbox calls on ${r.cores} cores, callee audio from ${r.audio}: ${headline}`,
    ...r.steps.map(formatStep),
    ...caveat,
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runConcurrentCallsBench({ onStep: (s) => console.error(formatStep(s)) });
  console.log(formatConcurrentCalls(result));
}
