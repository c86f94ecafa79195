/**
 * Concurrent calls on the Telnyx path: the built service in its own process on its Telnyx adapter and
 * its real Deepgram, OpenAI and ElevenLabs adapters, as bench/real-path.ts sets them up (the carrier is
 * the Telnyx emulator, whose media client plays each callee at real 20 ms pace; the vendors are loopback
 * fakes). N calls talk at once: each callee says hello, then a short turn every time the agent has
 * finished a reply. Measured over a window while all N talk: the service's CPU and resident set, per call.
 * The emulator and the fakes run in the bench's process, so their work is not counted. Then, in the same
 * run, the same calls with callees quiet after their hello (what a line costs with no turn: the rest is
 * the turns'), and the carrier's media alone into a bare server (carrier-media-floor.ts): what any service
 * pays here.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { FliteSynth } from "../packages/server/src/sandbox/speech/flite.ts";
import {
  startFakeDeepgram,
  startFakeElevenLabs,
  startFakeOpenAi,
} from "../packages/server/test/fakes/index.ts";
import { runCarrierMediaFloor } from "./carrier-media-floor.ts";
import { cpuPercent, loadAverage, sampleUsage, untilQuiet } from "./process-usage.ts";
import { type BenchCallee, speechFrames, waitFor } from "./real-path-callee.ts";
import { startServiceProcess } from "./real-path-service.ts";
import { placeCalls, untilAllFinal } from "./service-calls.ts";
import { startBenchCarrier, telnyxPathEnv } from "./telnyx-path.ts";

const STT_ENDPOINT_MS = 100;
const OPENING = "Hi, this is Alex, an AI assistant calling to book a table for tonight.";
const REPLY = "Great choice, I have booked a table for two at seven tonight. Anything else?";
const HELLO = "Hello?";
const TURN = "Table for two";

export interface TelnyxCallsOptions {
  calls?: number;
  /** After the last call is answered, before the window: the openings and first turns under way. */
  warmupMs?: number;
  windowMs?: number;
}

interface ServiceRun {
  /** Callees say hello and then nothing: the agent speaks its opening, then the line stays quiet. */
  quiet?: boolean;
}

export interface TelnyxCallsResult {
  calls: number;
  cpuPercent: number;
  cpuPercentPerCall: number;
  rssMbPerCall: number;
  idleRssMb: number;
  /** Callee turns the agent answered inside the window, per call per minute: the calls kept talking. */
  turnsPerCallPerMinute: number;
  /**
   * Messages the service sent in the window, per call per second, as the fakes and the carrier's media
   * client received them: work counted, the same on a fast machine as on a slow one.
   */
  messagesPerCallPerSecond: { recogniser: number; synthesiser: number; carrierMedia: number };
  /** Seconds of audio the recogniser was sent per second of call: what Deepgram bills. */
  recogniserAudioShare: number;
  completed: number;
  /** The same calls with callees quiet after their hello, measured the same way: no turn in the window. */
  quietCpuPercentPerCall: number;
  /** The talking calls' CPU beyond the quiet ones', per callee turn the agent answered (ms of one core). */
  cpuMsPerTurn: number;
  /** The same number of calls' media from the carrier into a bare ws server's process, per call. */
  carrierMediaFloorPerCall: number;
  loadAverage: number;
}

/** Plays one callee's side: hello, then a turn after each reply of the agent, until the call ends. */
async function converse(
  callee: BenchCallee,
  frames: { hello: Uint8Array[]; turn: Uint8Array[] },
  hear: (text: string) => void,
  onTurn: () => void,
  stopped: () => boolean,
  quiet: boolean,
): Promise<void> {
  let said = callee.say(frames.hello);
  hear(HELLO);
  if (quiet) return waitFor(() => stopped() || callee.closed, 600_000, "the end of the bench");
  while (!stopped() && !callee.closed) {
    await waitFor(() => said.endAt !== null || stopped(), 20_000, "the callee's words");
    if (stopped()) return;
    await callee.agentFinished(said.endAt!, 400, 30_000, () => stopped() || callee.closed);
    if (stopped()) return;
    onTurn();
    hear(TURN);
    said = callee.say(frames.turn);
  }
}

export async function runTelnyxCallsBench(options: TelnyxCallsOptions = {}): Promise<TelnyxCallsResult> {
  const service = await measureService(options);
  const quiet = await measureService({ ...options, quiet: true });
  if (quiet.messagesPerCallPerSecond.carrierMedia > 0)
    console.error("telnyx calls: the agent spoke in the quiet window; the quiet figure includes its speech");
  const floor = await runCarrierMediaFloor({ calls: service.calls });
  const beyondQuiet = (service.cpuPercent - quiet.cpuPercent) / service.calls;
  const turnsPerSecond = service.turnsPerCallPerMinute / 60;
  return {
    ...service,
    quietCpuPercentPerCall: quiet.cpuPercentPerCall,
    // A percent of one core is 10 ms of CPU a second.
    cpuMsPerTurn: turnsPerSecond > 0 ? Math.round(((beyondQuiet * 10) / turnsPerSecond) * 10) / 10 : 0,
    carrierMediaFloorPerCall: floor,
  };
}

type ServiceResult = Omit<
  TelnyxCallsResult,
  "quietCpuPercentPerCall" | "cpuMsPerTurn" | "carrierMediaFloorPerCall"
>;

async function measureService(options: TelnyxCallsOptions & ServiceRun): Promise<ServiceResult> {
  const n = options.calls ?? 50;
  const warmupMs = options.warmupMs ?? 8000;
  const windowMs = options.windowMs ?? 10_000;
  const synth = new FliteSynth();
  const cleanups: (() => Promise<unknown>)[] = [async () => synth.close()];
  const callees: BenchCallee[] = [];
  let stop = false;
  try {
    const deepgram = await startFakeDeepgram({ endpointMs: STT_ENDPOINT_MS, finalDelayMs: 50 });
    cleanups.push(deepgram.close);
    const openai = await startFakeOpenAi({ firstTokenMs: 300, tokensPerSecond: 50 });
    cleanups.push(openai.close);
    openai.chat.setDefault((view) =>
      view.toolNames.includes("compose_opening")
        ? {
            toolCalls: [
              { name: "compose_opening", arguments: { line: OPENING, purpose: "to book a table" } },
            ],
          }
        : { text: REPLY, splitPunctuation: true },
    );
    const elevenlabs = await startFakeElevenLabs();
    cleanups.push(elevenlabs.close);
    elevenlabs.speech.setFirstByteMs(120);
    const emulator = await startBenchCarrier(callees, n);
    cleanups.push(() => emulator.close());
    const callerNumbers = Array.from({ length: n }, (_, i) => `+1312555${String(2000 + i).padStart(4, "0")}`);
    const service = await startServiceProcess({
      ...telnyxPathEnv(
        emulator,
        { openai: openai.url, deepgram: deepgram.url, elevenlabs: elevenlabs.url },
        callerNumbers,
      ),
      CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: String(n),
      CLAWCALL_FREE_RINGING_PER_CLIENT: String(n),
      CLAWCALL_FREE_SECONDS: "100000000",
      CLAWCALL_CONNECTIONS_PER_ADDRESS: "1000",
    });
    cleanups.push(service.stop);
    const frames = {
      hello: await speechFrames(synth, HELLO, STT_ENDPOINT_MS),
      turn: await speechFrames(synth, TURN, STT_ENDPOINT_MS),
    };
    const pid = service.child.pid!;
    await untilQuiet(pid, 3, 30_000);
    const idle = sampleUsage(pid);

    const placed = await placeCalls(service.url, undefined, n, {
      to: "+12125550199",
      task: "Book a table for two at seven tonight.",
    });
    await waitFor(() => callees.length >= n, 30_000, "every emulated call to be answered");
    let turns = 0;
    let counting = false;
    const talks = callees.map((c) =>
      converse(
        c,
        frames,
        (text) => deepgram.hear(text),
        () => {
          if (counting) turns++;
        },
        () => stop,
        options.quiet === true,
      ).catch((err: Error) => err),
    );
    const messages = () => ({
      recogniser: deepgram.sessions.reduce((sum, s) => sum + s.messages.length, 0),
      synthesiser: elevenlabs.streamMessages.length,
      carrierMedia: callees.reduce((sum, c) => sum + c.arrivals.length, 0),
    });
    await sleep(warmupMs);
    const recognised = () => deepgram.sessions.reduce((sum, s) => sum + s.audioBytes(), 0);
    const sentBefore = messages();
    const recognisedBefore = recognised();
    const from = sampleUsage(pid);
    counting = true;
    await sleep(windowMs);
    counting = false;
    const to = sampleUsage(pid);
    const sentAfter = messages();
    const recognisedAfter = recognised();
    const perCallSecond = (k: keyof typeof sentAfter) =>
      Math.round(((sentAfter[k] - sentBefore[k]) / n / (windowMs / 1000)) * 10) / 10;
    stop = true;
    for (const c of callees) c.ctx.hangup();
    const failures = (await Promise.all(talks)).filter((r) => r instanceof Error);
    const views = (await untilAllFinal(service.url, placed.key, placed.callIds, 60_000)) as {
      status?: string;
    }[];
    if (failures.length > 0)
      console.error(`telnyx calls: ${failures.length} callees stopped early: ${failures[0]}`);
    const cpu = cpuPercent(from, to);
    return {
      calls: n,
      cpuPercent: Math.round(cpu * 10) / 10,
      cpuPercentPerCall: Math.round((cpu / n) * 100) / 100,
      rssMbPerCall: Math.round(((to.rssMb - idle.rssMb) / n) * 100) / 100,
      idleRssMb: Math.round(idle.rssMb),
      turnsPerCallPerMinute: Math.round((turns / n / (windowMs / 60_000)) * 10) / 10,
      messagesPerCallPerSecond: {
        recogniser: perCallSecond("recogniser"),
        synthesiser: perCallSecond("synthesiser"),
        carrierMedia: perCallSecond("carrierMedia"),
      },
      // 8 kHz mu-law: 8000 bytes a second.
      recogniserAudioShare:
        Math.round(((recognisedAfter - recognisedBefore) / 8000 / n / (windowMs / 1000)) * 100) / 100,
      completed: views.filter((v) => v.status === "completed").length,
      loadAverage: loadAverage(),
    };
  } finally {
    stop = true;
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

export function formatTelnyxCalls(r: TelnyxCallsResult): string {
  return [
    "Telnyx path: built service process on its Telnyx, Deepgram, OpenAI and ElevenLabs adapters; carrier (media WebSocket) and vendors emulated on loopback in the bench's process",
    `  ${r.calls} calls talking at once: service CPU ${r.cpuPercent}% (${r.cpuPercentPerCall}%/call), RSS +${r.rssMbPerCall} MB/call over the idle ${r.idleRssMb} MB; ${r.turnsPerCallPerMinute} turns/call/min; completed ${r.completed}/${r.calls} (load ${r.loadAverage})`,
    `  the service's messages a call a second (counted, not timed): ${r.messagesPerCallPerSecond.recogniser} to the recogniser, ${r.messagesPerCallPerSecond.synthesiser} to the synthesiser, ${r.messagesPerCallPerSecond.carrierMedia} media to the carrier; the recogniser was sent ${Math.round(r.recogniserAudioShare * 100)}% of the line's audio (what it bills)`,
    `  the same calls with callees quiet after their hello (no turn in the window): ${r.quietCpuPercentPerCall}%/call; the turns cost the rest, ${r.cpuMsPerTurn} ms of CPU a turn`,
    `  the carrier's media alone (${r.calls} calls' 50 messages a second into a ws server that does nothing, in its own process): ${r.carrierMediaFloorPerCall}%/call; the service's work beyond it ${Math.round((r.cpuPercentPerCall - r.carrierMediaFloorPerCall) * 100) / 100}%/call`,
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(
    formatTelnyxCalls(await runTelnyxCallsBench({ calls: Number(process.env["BENCH_CALLS"] ?? 50) })),
  );
}
