/**
 * The headline of `npm run bench`: turn latency on the path users run. The service runs in its own
 * process as users start it, on its Telnyx adapter and its real Deepgram, OpenAI and ElevenLabs
 * adapters. The carrier is the Telnyx emulator, whose media client plays the callee at real 20 ms pace
 * in Telnyx's media-stream format and echoes marks as the agent's audio plays; the vendors are loopback
 * fakes that speak each wire format with fixed latencies (recogniser final 150 ms after the speech,
 * interim results before it, one with every word 50 ms after the speech; model's first token 300 ms after
 * the request, then 50 tokens/s split as OpenAI's are; first speech audio 120 ms after its generation
 * starts: an HTTP request, or the flush of a chunk on ElevenLabs' WebSocket, where a reply's words go as
 * the model writes them).
 *
 * The emulator and the fakes run in this process so that every stage is stamped on one clock
 * (performance.now()): the emulator must, since its media client is where frames are sent and received.
 * A stage is stamped where it happens: a model request when it reaches the fake (not once the fake has
 * read and parsed it), time counted in frames by the frames' own sending (the emulator's 20 ms pace
 * wavers by a millisecond or two). The first call warms the service up and is reported apart.
 * This process's own lateness lands in "ours" (a stamp taken late), so its event loop's delay is
 * reported beside the stages, and `npm run bench` gives it a young generation large enough that its own
 * collections (a millisecond or several each, every megabyte of garbage by default) seldom fall in a turn.
 * Run alone with `npx tsx --min-semi-space-size=32 --max-semi-space-size=32 bench/real-path.ts`, or call
 * `runRealPathBench()`.
 */
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { framesForMs } from "../packages/server/src/media/frames.ts";
import { percentile } from "../packages/server/src/observability/latency.ts";
import { newSpace } from "../packages/server/src/observability/nursery.ts";
import { FliteSynth } from "../packages/server/src/sandbox/speech/flite.ts";
import { DEFAULT_PREVIEW_QUIET_MS } from "../packages/server/src/voice/end-of-turn.ts";
import { TextChunker } from "../packages/server/src/voice/text-chunker.ts";
import {
  startFakeDeepgram,
  startFakeElevenLabs,
  startFakeOpenAi,
} from "../packages/server/test/fakes/index.ts";
import { planTokens } from "../packages/server/test/fakes/llm-script.ts";
import { exposeGc, HARNESS_YOUNG_FLAGS, HARNESS_YOUNG_MB, LoopLateness } from "./harness-process.ts";
import { type BenchCallee, speechFrames, waitFor } from "./real-path-callee.ts";
import { type ServiceProcess, startServiceProcess } from "./real-path-service.ts";
import { startBenchCarrier, telnyxPathEnv } from "./telnyx-path.ts";

export interface RealPathOptions {
  calls?: number;
  turnsPerCall?: number;
}

const STT_FINAL_MS = 150;
const LLM_FIRST_TOKEN_MS = 300;
const TOKENS_PER_SECOND = 50;
const TTS_FIRST_AUDIO_MS = 120;
const FRAME_MS = 20;
/** The fake recogniser's silence before a final; the rest of STT_FINAL_MS is its delay after it. */
const STT_ENDPOINT_MS = 100;
/** The fake recogniser's interim with every word, this long after the speech. */
const STT_INTERIM_MS = 50;
/**
 * When the words are first ours to act on: the agent prepares its reply once the callee has been quiet
 * DEFAULT_PREVIEW_QUIET_MS with an interim covering every word (preemptive generation), else at the final.
 */
const WORDS_READY_MS = Math.min(STT_FINAL_MS, Math.max(STT_INTERIM_MS, DEFAULT_PREVIEW_QUIET_MS));

/**
 * Calls made first and reported apart: a service runs for days, and the first call after a start runs
 * code V8 has not compiled yet (its turns take a few milliseconds more of our own time).
 */
const WARMUP_CALLS = 1;

const OPENING =
  "Hi, this is Alex, an AI assistant calling to book a table for tonight; this call is recorded.";
const REPLY =
  "Great choice, I have booked a table for two at seven tonight. Is there anything else I can help with?";
const LONG_REPLY =
  "Let me read the whole booking back to you, so that we are sure of every detail. The table is for two people at seven tonight, by the window if one is free, under the name Jordan Lee, and they will call the restaurant if they are running more than fifteen minutes late.";
const HELLO = "Hello?";
// Lines flite speaks without a pause as long as the endpointing (a comma would end the turn there).
const TURNS = ["Table for two", "And at what time?", "Any seating preference?", "Is that all?"];
const ASK_AGAIN = "Could you read the whole booking back to me?";
const INTERRUPT = "Wait let me stop you there.";

export interface Stats {
  samples: number;
  p50: number | null;
  p95: number | null;
}
const stats = (values: number[]): Stats => {
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return { samples: values.length, p50: round(percentile(values, 50)), p95: round(percentile(values, 95)) };
};

interface LlmRequest {
  at: number;
  tokens: number[];
}
interface TtsRequest {
  at: number;
  firstByteAt: number | null;
}
interface Turn {
  /** A turn of the call that warms the process up: reported apart. */
  cold: boolean;
  onsetAt: number;
  endAt: number;
  /** When the frame that completes the preview's quiet after the speech went onto the wire. */
  quietAt: number;
  frameAt: number;
}

/** Tokens of REPLY up to and including the one that completes the first chunk, by the chunker in use. */
export function tokensToFirstChunk(): number {
  const chunker = new TextChunker();
  const pieces = planTokens({ text: REPLY, splitPunctuation: true });
  for (const [i, piece] of pieces.entries()) {
    if (piece.kind === "text" && chunker.push(piece.text).length > 0) return i + 1;
  }
  return pieces.length;
}

/** Waits for the call to be final, so the next one finds its caller number and the account free. */
async function untilFinal(url: string, key: string, callId: string): Promise<void> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    const res = await fetch(`${url}/call/${callId}`, {
      headers: { "x-api-key": key },
      signal: AbortSignal.timeout(5000),
    });
    const { status } = (await res.json()) as { status?: string };
    if (status === "completed" || status === "failed") return;
    if (performance.now() > deadline) throw new Error(`call still ${status} 15 s after the hang-up`);
    await sleep(50);
  }
}

export interface RealPathResult {
  stages: Record<string, Stats>;
  turn: Stats;
  bargeIn: Stats;
  /** Our own time on the turns of the warm-up call (see WARMUP_CALLS). */
  coldOwn: Stats;
  floorMs: number;
  tokensToFirstChunk: number;
  /** Turns whose reply was asked for before the recogniser's final. */
  preempted: number;
  /** Of those, asked on a pause before the callee's speech ended (no asking of ours on the turn's path). */
  askedBeforeEnd: number;
  /**
   * Model requests a call made, each billed for its whole prompt: the `modelCallsNeeded` its replies and
   * its judgement take, and every preview dropped because the callee's words changed after it.
   */
  modelRequests: Stats;
  /** The opening, a reply to each turn, the long reply, the interruption's reply, the judgement. */
  modelCallsNeeded: number;
  ratioP50: number | null;
  ratioP95: number | null;
  /** This process's event loop over the calls (emulator and fakes): its lateness counts as ours. */
  harnessDelay: { p99Ms: number; maxMs: number; youngMb: number };
  loadAverage: number;
}

export async function runRealPathBench(options: RealPathOptions = {}): Promise<RealPathResult> {
  const calls = options.calls ?? 8;
  const turnsPerCall = options.turnsPerCall ?? 4;
  const finals: number[] = [];
  const fullInterims: number[] = [];
  const llmRequests: LlmRequest[] = [];
  const ttsRequests: TtsRequest[] = [];
  const textsToTts: number[] = [];
  let longNext = false;

  const synth = new FliteSynth();
  const cleanups: (() => Promise<unknown>)[] = [async () => synth.close()];
  const turns: Turn[] = [];
  const bargeIns: number[] = [];
  const requestsPerCall: number[] = [];
  let service: ServiceProcess | undefined;
  const callees: BenchCallee[] = [];
  const lateness = new LoopLateness();
  try {
    const deepgram = await startFakeDeepgram({
      endpointMs: STT_ENDPOINT_MS,
      finalDelayMs: STT_FINAL_MS - STT_ENDPOINT_MS,
      pauseInterimMs: STT_INTERIM_MS,
      onResult: (r) => {
        if (r.isFinal && r.speechFinal && r.text) finals.push(performance.now());
        else if (!r.isFinal && TURNS.includes(r.text)) fullInterims.push(performance.now());
      },
    });
    cleanups.push(deepgram.close);
    const openai = await startFakeOpenAi({
      firstTokenMs: LLM_FIRST_TOKEN_MS,
      tokensPerSecond: TOKENS_PER_SECOND,
    });
    cleanups.push(openai.close);
    openai.chat.setDefault((view) => {
      const request: LlmRequest = { at: view.receivedAt, tokens: [] };
      llmRequests.push(request);
      // The opening is composed while the phone rings, through a tool whose arguments carry the line.
      if (view.toolNames.includes("compose_opening"))
        return {
          toolCalls: [{ name: "compose_opening", arguments: { line: OPENING, purpose: "to book a table" } }],
        };
      return {
        text: longNext ? LONG_REPLY : REPLY,
        splitPunctuation: true,
        onToken: () => request.tokens.push(performance.now()),
      };
    });
    // Replies stream their words over ElevenLabs' WebSocket: the first text after a model request is timed.
    const elevenlabs = await startFakeElevenLabs({
      onStreamMessage: (m) => {
        const text = m["text"];
        if (typeof text === "string" && text.trim().length > 0) textsToTts.push(performance.now());
      },
    });
    cleanups.push(elevenlabs.close);
    elevenlabs.speech.setFirstByteMs(TTS_FIRST_AUDIO_MS);
    elevenlabs.speech.setDefault(() => {
      const request: TtsRequest = { at: performance.now(), firstByteAt: null };
      ttsRequests.push(request);
      return {
        onFirstByte: () => {
          request.firstByteAt = performance.now();
        },
      };
    });

    const emulator = await startBenchCarrier(callees);
    cleanups.push(() => emulator.close());

    service = await startServiceProcess(
      telnyxPathEnv(emulator, { openai: openai.url, deepgram: deepgram.url, elevenlabs: elevenlabs.url }, [
        "+13125550180",
      ]),
    );

    const frames = {
      hello: await speechFrames(synth, HELLO, STT_ENDPOINT_MS),
      turns: await Promise.all(TURNS.map((t) => speechFrames(synth, t, STT_ENDPOINT_MS))),
      askAgain: await speechFrames(synth, ASK_AGAIN, STT_ENDPOINT_MS),
      interrupt: await speechFrames(synth, INTERRUPT, STT_ENDPOINT_MS),
    };

    let apiKey: string | undefined;
    const collect = exposeGc();
    for (let c = 0; c < WARMUP_CALLS + calls; c++) {
      // This process's garbage is collected between calls, while nothing is timed.
      lateness.stop();
      collect?.();
      lateness.start();
      const requestsBefore = llmRequests.length;
      const res = await fetch(`${service.url}/call`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(apiKey ? { "x-api-key": apiKey } : {}) },
        body: JSON.stringify({ to: "+12125550199", task: "Book a table for two at seven tonight." }),
        signal: AbortSignal.timeout(10_000),
      });
      const created = (await res.json()) as { call_id?: string; api_key?: string };
      if (res.status !== 201 || !created.call_id)
        throw new Error(`POST /call answered ${res.status}: ${JSON.stringify(created)}`);
      apiKey ??= created.api_key;
      await waitFor(() => callees.length > c, 15_000, "the emulated call to be answered").catch(
        async (err) => {
          const view = await fetch(`${service!.url}/call/${created.call_id}`, {
            headers: { "x-api-key": apiKey ?? "" },
            signal: AbortSignal.timeout(5000),
          });
          throw new Error(`${(err as Error).message}; the call: ${await view.text()}`);
        },
      );
      const callee = callees[c]!;

      deepgram.hear(HELLO);
      const hello = callee.say(frames.hello);
      await waitFor(() => hello.endAt !== null, 10_000, "the callee's hello");
      await callee.agentFinished(hello.endAt!, 400, 15_000);

      for (let i = 0; i < turnsPerCall; i++) {
        deepgram.hear(TURNS[i % TURNS.length]!);
        const said = callee.say(frames.turns[i % TURNS.length]!);
        await waitFor(() => said.endAt !== null, 10_000, "the callee's turn");
        await callee.agentFinished(said.endAt!, 400, 15_000);
        turns.push({
          cold: c < WARMUP_CALLS,
          onsetAt: said.onsetAt!,
          endAt: said.endAt!,
          quietAt: said.after[framesForMs(DEFAULT_PREVIEW_QUIET_MS) - 1]!,
          frameAt: callee.firstArrivalAfter(said.endAt!)!,
        });
      }

      // Barge-in: the callee talks over a long reply, 600 ms into its audio.
      longNext = true;
      deepgram.hear(ASK_AGAIN);
      const ask = callee.say(frames.askAgain);
      await waitFor(
        () => ask.endAt !== null && callee.firstArrivalAfter(ask.endAt) !== undefined,
        15_000,
        "the long reply",
      );
      await sleep(600);
      longNext = false;
      deepgram.hear(INTERRUPT);
      const cut = callee.say(frames.interrupt);
      await waitFor(
        () => cut.onsetAt !== null && callee.clears.some((t) => t >= cut.onsetAt!),
        5000,
        "playback cleared",
      );
      if (c >= WARMUP_CALLS) bargeIns.push(callee.clears.find((t) => t >= cut.onsetAt!)! - cut.onsetAt!);
      await waitFor(() => cut.endAt !== null, 10_000, "the interruption");
      await callee.agentFinished(cut.endAt!, 400, 15_000);

      callee.ctx.hangup();
      await untilFinal(service.url, apiKey ?? "", created.call_id);
      if (c >= WARMUP_CALLS) requestsPerCall.push(llmRequests.length - requestsBefore);
    }
  } catch (err) {
    throw new Error(
      `${(err as Error).message} (seen: ${finals.length} finals, ${llmRequests.length} model requests, ${ttsRequests.length} speech requests, ${callees.at(-1)?.arrivals.length ?? 0} agent media messages on the last call)`,
      { cause: err },
    );
  } finally {
    lateness.stop();
    await service?.stop();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }

  const chunkTokens = tokensToFirstChunk();
  const rows: Record<string, number[]> = {
    "end of speech → STT final": [],
    "end of speech → interim with every word": [],
    "end of speech → LLM request": [],
    "LLM request → first token": [],
    "first token → first text to TTS": [],
    "first token → first clause to TTS": [],
    "TTS request → TTS first byte": [],
    "TTS first byte → first frame on the wire": [],
    "  ours: words ready → LLM request": [],
    "  ours: clause's last token (or the final, if later) → TTS request": [],
    "our own time (all but the fakes' and the design's waits)": [],
  };
  const turnTotals: number[] = [];
  const coldOwn: number[] = [];
  let preempted = 0;
  let askedBeforeEnd = 0;
  for (const t of turns) {
    const final = finals.find((x) => x >= t.endAt);
    const interim = fullInterims.find((x) => x >= t.endAt);
    const tts = ttsRequests.find((r) => r.at >= t.endAt);
    // The request the reply came from: the last one before its speech (a dropped preview may precede it).
    // It may precede the end of the callee's speech: a preview on a pause in it, kept through the words
    // that followed when they were the same.
    const llm =
      tts === undefined ? undefined : llmRequests.findLast((r) => r.at >= t.onsetAt && r.at <= tts.at);
    const firstToken = llm?.tokens[0];
    const chunkToken = llm?.tokens[chunkTokens - 1];
    if (
      final === undefined ||
      !llm ||
      !tts?.firstByteAt ||
      firstToken === undefined ||
      chunkToken === undefined
    )
      continue;
    if (tts.firstByteAt > t.frameAt) continue;
    const early = llm.at < final;
    const beforeEnd = llm.at < t.endAt;
    // What the design waits for before asking the model: the preview's quiet (counted in frames, as the
    // service counts it) and its interim, or the final. Asked before the speech ended, nothing of the
    // asking is on the turn's path.
    const wordsReady = early ? Math.max(interim ?? t.quietAt, t.quietAt) : final;
    const asking = beforeEnd ? 0 : llm.at - wordsReady;
    // A reply is spoken once the final has confirmed its words: a clause the model had written before
    // then (a request made before the speech ended) is ready at the final.
    const clauseReady = Math.max(chunkToken, final);
    const own = asking + (tts.at - clauseReady) + (t.frameAt - tts.firstByteAt);
    if (t.cold) {
      coldOwn.push(own);
      continue;
    }
    if (early) preempted++;
    if (beforeEnd) askedBeforeEnd++;
    rows["end of speech → STT final"]!.push(final - t.endAt);
    if (interim !== undefined) rows["end of speech → interim with every word"]!.push(interim - t.endAt);
    if (!beforeEnd) rows["end of speech → LLM request"]!.push(llm.at - t.endAt);
    rows["LLM request → first token"]!.push(firstToken - llm.at);
    const firstText = textsToTts.find((x) => x >= firstToken);
    if (firstText !== undefined && !beforeEnd)
      rows["first token → first text to TTS"]!.push(firstText - firstToken);
    if (!beforeEnd) rows["first token → first clause to TTS"]!.push(tts.at - firstToken);
    rows["TTS request → TTS first byte"]!.push(tts.firstByteAt - tts.at);
    rows["TTS first byte → first frame on the wire"]!.push(t.frameAt - tts.firstByteAt);
    if (!beforeEnd) rows["  ours: words ready → LLM request"]!.push(asking);
    rows["  ours: clause's last token (or the final, if later) → TTS request"]!.push(tts.at - clauseReady);
    rows["our own time (all but the fakes' and the design's waits)"]!.push(own);
    turnTotals.push(t.frameAt - t.endAt);
  }
  const floorMs =
    WORDS_READY_MS +
    LLM_FIRST_TOKEN_MS +
    (chunkTokens - 1) * (1000 / TOKENS_PER_SECOND) +
    TTS_FIRST_AUDIO_MS +
    FRAME_MS;
  const turn = stats(turnTotals);
  const ratio = (v: number | null) => (v === null ? null : Math.round((v / floorMs) * 100) / 100);
  return {
    stages: Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, stats(v)])),
    turn,
    bargeIn: stats(bargeIns),
    coldOwn: stats(coldOwn),
    floorMs,
    tokensToFirstChunk: chunkTokens,
    preempted,
    askedBeforeEnd,
    modelRequests: stats(requestsPerCall),
    modelCallsNeeded: turnsPerCall + 4,
    ratioP50: ratio(turn.p50),
    ratioP95: ratio(turn.p95),
    harnessDelay: {
      p99Ms: lateness.p99Ms,
      maxMs: lateness.maxMs,
      youngMb: Math.round(newSpace().capacity / 2 ** 20),
    },
    loadAverage: Math.round(os.loadavg()[0]! * 10) / 10,
  };
}

export function formatRealPath(r: RealPathResult): string {
  const f = (p: Stats) => `p50 ${p.p50} ms, p95 ${p.p95} ms (n=${p.samples})`;
  const width = Math.max(...Object.keys(r.stages).map((k) => k.length));
  return [
    "real path: service process on its Telnyx, Deepgram, OpenAI and ElevenLabs adapters; carrier and vendors emulated on loopback",
    ...Object.entries(r.stages).map(([k, v]) => `  ${k.padEnd(width)}  ${f(v)}`),
    `  end of speech → first agent frame on the wire: ${f(r.turn)}`,
    `  replies prepared before the final (preemptive generation): ${r.preempted} of ${r.turn.samples}, ${r.askedBeforeEnd} of them asked on a pause before the speech ended and kept through the same words`,
    `  floor ${r.floorMs} ms (words ready ${WORDS_READY_MS}: the preview's ${DEFAULT_PREVIEW_QUIET_MS} ms of quiet after an interim at ${STT_INTERIM_MS}, before the final at ${STT_FINAL_MS}; + first token ${LLM_FIRST_TOKEN_MS} + ${r.tokensToFirstChunk - 1} more tokens to the first clause × ${1000 / TOKENS_PER_SECOND} + TTS ${TTS_FIRST_AUDIO_MS} + one frame ${FRAME_MS}); ratio to floor p50 ${r.ratioP50}, p95 ${r.ratioP95}`,
    `  model requests a call: p50 ${r.modelRequests.p50}, p95 ${r.modelRequests.p95} (n=${r.modelRequests.samples}; its replies and its judgement need ${r.modelCallsNeeded})`,
    `  barge-in onset → playback cleared (clear on the wire): ${f(r.bargeIn)}`,
    `  not counted above: the first call after the service started (code not yet compiled), our own time ${f(r.coldOwn)}`,
    `  the bench's own event loop (emulator and fakes; a late stamp counts as ours): late p99 ${r.harnessDelay.p99Ms} ms (the worst call's), at most ${r.harnessDelay.maxMs} ms${r.harnessDelay.youngMb < HARNESS_YOUNG_MB / 2 ? ` (its young generation is ${r.harnessDelay.youngMb} MB: run it as \`npm run bench\` does, with ${HARNESS_YOUNG_FLAGS})` : ""}`,
    `  (load ${r.loadAverage})`,
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const calls = Number(process.env["BENCH_CALLS"] ?? 8);
  console.log(formatRealPath(await runRealPathBench({ calls })));
}
