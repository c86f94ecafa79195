/**
 * Turn latency at the audio boundary (issue 3, bench items a and b), with fake providers of fixed
 * latency on the sandbox's real-time 20 ms line:
 *   (a) end of the callee's speech → first agent audio handed to the media stream, p50/p95, and our own
 *       overhead beyond what the fakes impose (STT final 150 ms after speech, LLM first token 300 ms then
 *       50 tokens/s, TTS first audio 120 ms after its request);
 *   (b) onset of the callee's speech over the agent → playback cleared, p50/p95;
 *   (c) the opening: end of the callee's first words after the answer ("Hello?") → first audio of the
 *       opening line, which the model composed and the service synthesised while the phone rang.
 * Run alone with `npx tsx bench/turn-latency.ts`, or call `runTurnLatencyBench()`.
 */
import { pathToFileURL } from "node:url";
import { createVoiceAgentEngine } from "../packages/server/src/agent/voice-agent-engine.ts";
import type { MediaStream } from "../packages/server/src/media/media-stream.ts";
import { percentile } from "../packages/server/src/observability/latency.ts";
import {
  FakeCallee,
  FakeStt,
  fakeAnsweredCall,
  ScriptedLlm,
  sleep,
  ToneTts,
} from "../packages/server/test/voice/fakes.ts";

export interface TurnLatencyOptions {
  /** Calls running at once (each its own line, voice session and agent). */
  calls?: number;
  /** Answered callee turns per call (after the opening line). */
  turnsPerCall?: number;
  /** Barge-ins per call. */
  bargeInsPerCall?: number;
  sttFinalMs?: number;
  llmFirstTokenMs?: number;
  llmTokensPerSecond?: number;
  ttsFirstAudioMs?: number;
  /** How long the phone rings before the answer (the opening is composed meanwhile). */
  ringMs?: number;
}

export interface Percentiles {
  samples: number;
  p50: number | null;
  p95: number | null;
}

export interface TurnLatencyResult {
  /** End of callee speech → first agent audio frame handed to the media stream. */
  turn: Percentiles;
  /** The part of `turn` the fakes imposed (STT final delay, model up to the first chunk, TTS first audio). */
  fakes: Percentiles;
  /** `turn` minus `fakes`: the voice session's and agent's own cost. */
  overhead: Percentiles;
  /** Callee speech onset over the agent → playback cleared. */
  bargeIn: Percentiles;
  /** End of the callee's first utterance after the answer → first audio of the opening line. */
  opening: Percentiles;
  /** The part of `opening` the fakes imposed (the recogniser's final after the speech). */
  openingFakes: Percentiles;
}

const REPLY = "Sure, that works for me. Thursday at three is confirmed. Is there anything else?";
const LONG_REPLY =
  "Let me go through everything one more time so we are on the same page. The appointment is on Thursday at three in the afternoon with the hygienist. Jordan will arrive ten minutes early to fill in the forms, and will bring the insurance card and a photo ID along.";

const stats = (values: number[]): Percentiles => {
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return { samples: values.length, p50: round(percentile(values, 50)), p95: round(percentile(values, 95)) };
};

/** Records when audio was handed to the line and when playback was cleared. */
function instrument(media: MediaStream) {
  const sends: number[] = [];
  const clears: number[] = [];
  const wrapped: MediaStream = {
    attach: (h) => media.attach(h),
    send: (audio) => {
      sends.push(performance.now());
      media.send(audio);
    },
    mark: (name) => media.mark(name),
    clear: () => {
      clears.push(performance.now());
      media.clear();
    },
    close: () => media.close(),
  };
  return { wrapped, sends, clears };
}

const firstAfter = (times: readonly number[], t: number) => times.find((x) => x >= t);
const lastAtOrBefore = (times: readonly number[], t: number) => times.filter((x) => x <= t).at(-1);

async function runOneCall(o: Required<TurnLatencyOptions>, seed: number) {
  const stt = new FakeStt(o.sttFinalMs);
  let wantLong = false;
  const llm = new ScriptedLlm(
    () => ({ text: wantLong ? LONG_REPLY : REPLY }),
    o.llmFirstTokenMs,
    o.llmTokensPerSecond,
  );
  const tts = new ToneTts(o.ttsFirstAudioMs, 25);
  const fake = fakeAnsweredCall({ request: { task: "Confirm the appointment.", personality: "Alex." } });
  const { wrapped, sends, clears } = instrument(fake.call.media);
  fake.call.media = wrapped;
  const callee = new FakeCallee(fake.pair, stt);
  const engine = createVoiceAgentEngine({
    stt,
    llm,
    tts,
    settings: { openingWaitMs: 300, tickMs: 50, silentLineMs: 60_000 },
  });
  engine.prepare?.(fake.call.callId, fake.call.request);
  // Stagger the calls so their turns do not all line up on the same frame.
  await sleep(o.ringMs + ((seed * 37) % 400));
  const running = engine.run(fake.call);
  const turns: Array<{ total: number; fakes: number }> = [];
  const bargeIns: number[] = [];
  callee.say("Hello?", 400);
  await callee.agentSpeaks();
  const hello = stt.utterances[0];
  const openingAt = hello ? firstAfter(sends, hello.lastLoudAt) : undefined;
  const opening =
    hello?.finalAt != null && openingAt !== undefined
      ? { total: openingAt - hello.lastLoudAt, fakes: hello.finalAt - hello.lastLoudAt }
      : null;
  await callee.agentFinished(300);

  for (let i = 0; i < o.turnsPerCall; i++) {
    const callIndex = llm.calls.length;
    callee.say(`Turn ${i}, can you confirm?`, 500 + ((seed + i) % 5) * 100);
    await callee.agentSpeaks(performance.now() + 400);
    await callee.agentFinished(250);
    const u = stt.utterances.at(-1)!;
    const call = llm.calls[callIndex];
    const ttsReq = tts.requests.find((r) => call !== undefined && r.requestedAt >= call.startedAt);
    const sentAt = firstAfter(sends, u.lastLoudAt);
    if (call === undefined || ttsReq?.firstAudioAt == null || u.finalAt === null || sentAt === undefined)
      continue;
    const chunkToken = lastAtOrBefore(call.tokenAt, ttsReq.requestedAt) ?? call.startedAt;
    const fakes =
      u.finalAt - u.lastLoudAt + (chunkToken - call.startedAt) + (ttsReq.firstAudioAt - ttsReq.requestedAt);
    turns.push({ total: sentAt - u.lastLoudAt, fakes });
  }

  wantLong = true;
  for (let i = 0; i < o.bargeInsPerCall; i++) {
    callee.say("Please go over it all again.", 500);
    const speaking = await callee.agentSpeaks(performance.now() + 400);
    await sleep(300 + ((seed * 7 + i * 13) % 700) - (performance.now() - speaking));
    wantLong = false;
    callee.say("Sorry, one moment, let me stop you there.", 900);
    await sleep(50);
    const onset = stt.utterances.at(-1)!.startAt;
    await callee.agentSpeaks(performance.now() + 900);
    await callee.agentFinished(250);
    const clearedAt = firstAfter(clears, onset);
    if (clearedAt !== undefined) bargeIns.push(clearedAt - onset);
    wantLong = true;
  }

  fake.dispose();
  await running;
  await engine.close();
  return { turns, bargeIns, opening };
}

export async function runTurnLatencyBench(options: TurnLatencyOptions = {}): Promise<TurnLatencyResult> {
  const o: Required<TurnLatencyOptions> = {
    calls: 8,
    turnsPerCall: 12,
    bargeInsPerCall: 4,
    sttFinalMs: 150,
    llmFirstTokenMs: 300,
    llmTokensPerSecond: 50,
    ttsFirstAudioMs: 120,
    ringMs: 1500,
    ...options,
  };
  const results = await Promise.all(Array.from({ length: o.calls }, (_, i) => runOneCall(o, i + 1)));
  const turns = results.flatMap((r) => r.turns);
  const openings = results.flatMap((r) => (r.opening === null ? [] : [r.opening]));
  return {
    turn: stats(turns.map((t) => t.total)),
    fakes: stats(turns.map((t) => t.fakes)),
    overhead: stats(turns.map((t) => t.total - t.fakes)),
    bargeIn: stats(results.flatMap((r) => r.bargeIns)),
    opening: stats(openings.map((x) => x.total)),
    openingFakes: stats(openings.map((x) => x.fakes)),
  };
}

export function formatTurnLatency(r: TurnLatencyResult): string {
  const f = (p: Percentiles) => `p50 ${p.p50} ms, p95 ${p.p95} ms (n=${p.samples})`;
  return [
    `end of speech → first agent audio: ${f(r.turn)}`,
    `  of which the fakes imposed:      ${f(r.fakes)}`,
    `  our overhead beyond the fakes:   ${f(r.overhead)}  (target p95 < 5 ms)`,
    `barge-in onset → playback cleared: ${f(r.bargeIn)}  (target p95 < 250 ms)`,
    `answer → opening, from the end of the callee's first words: ${f(r.opening)}  (target p95 < 300 ms)`,
    `  of which the fakes imposed (recogniser final): ${f(r.openingFakes)}`,
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runTurnLatencyBench();
  console.log(formatTurnLatency(result));
}
