import { setTimeout as delay } from "node:timers/promises";
import type { CallRequest, TranscriptEntry } from "@clawcall/contract";
import type { AnsweredCall, CallSignal } from "../../src/calls/conversation.ts";
import { analyzeFrame, createFrameFeatures } from "../../src/media/frames.ts";
import type { LLM, LlmChunk, LlmMessage, LlmRequest } from "../../src/providers/llm/llm.ts";
import type { STT, SttEvent, SttOpenOptions, SttSession } from "../../src/providers/stt/stt.ts";
import type { TTS, TtsRequest } from "../../src/providers/tts/tts.ts";
import { createMediaPair, type MediaPair } from "../../src/sandbox/media-pair.ts";
import type { AnsweredBy, BridgeResult } from "../../src/telephony/carrier.ts";
import { sineMulaw, speechLikeMulaw } from "../../src/voice/synth.ts";
import { scriptedOpeningArguments } from "../scenarios/scripted-model.ts";

/** A wait a fake's abort signal cuts short, rejecting with an AbortError as a vendor SDK would. */
const sleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : {});

/**
 * Fake recogniser: "hears" loud frames and, for the words, takes the next line the fake callee queued
 * (the side channel). Emits the final `finalDelayMs` after the last loud frame, with end of utterance.
 */
export class FakeStt implements STT {
  readonly name = "fake-stt";
  readonly capabilities = {
    streaming: true,
    interimResults: true,
    inputEncodings: ["mulaw"] as const,
    sampleRates: [8000],
  };
  readonly lines: HeardLine[] = [];
  /** Timing of every utterance heard (performance.now()), for benchmarks. */
  readonly utterances: Array<{ startAt: number; lastLoudAt: number; finalAt: number | null }> = [];
  opened = 0;
  private sessions: FakeSttSession[] = [];

  constructor(readonly finalDelayMs = 150) {}

  async open(options: SttOpenOptions): Promise<SttSession> {
    this.opened++;
    const s = new FakeSttSession(this, options.onEvent);
    this.sessions.push(s);
    return s;
  }

  /** Queues what the next utterance will be recognised as (and, if given, its interim and when). */
  willHear(text: string, interimAfterMs?: number, interimText = text): void {
    this.lines.push({ text, interimAfterMs, interimText });
  }
}

interface HeardLine {
  text: string;
  /** An interim is sent this long after the utterance starts (none if undefined). */
  interimAfterMs?: number;
  interimText: string;
}

class FakeSttSession implements SttSession {
  private readonly features = createFrameFeatures();
  private inSpeech = false;
  private current: HeardLine | null = null;
  private finalTimer: NodeJS.Timeout | undefined;
  private interimTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly owner: FakeStt,
    private readonly emit: (e: SttEvent) => void,
  ) {}

  write(audio: Uint8Array): void {
    if (this.closed) return;
    const loud = analyzeFrame(audio, this.features).energy > 300 * 300;
    if (!loud) return;
    const now = performance.now();
    if (!this.inSpeech) {
      this.inSpeech = true;
      this.owner.utterances.push({ startAt: now, lastLoudAt: now, finalAt: null });
      this.current = this.owner.lines.shift() ?? null;
      this.emit({ type: "speech_started" });
      const interimAfter = this.current?.interimAfterMs;
      if (interimAfter !== undefined && this.current !== null) {
        const text = this.current.interimText;
        this.interimTimer = setTimeout(() => this.emit({ type: "interim", text }), interimAfter);
      }
    }
    this.owner.utterances.at(-1)!.lastLoudAt = now;
    clearTimeout(this.finalTimer);
    this.finalTimer = setTimeout(() => this.final(), this.owner.finalDelayMs);
  }

  private final(): void {
    clearTimeout(this.interimTimer);
    this.inSpeech = false;
    const line = this.current;
    this.current = null;
    if (line !== null && !this.closed) {
      this.owner.utterances.at(-1)!.finalAt = performance.now();
      this.emit({ type: "final", text: line.text, endOfUtterance: true });
    }
  }

  flush(): void {}

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.finalTimer);
    clearTimeout(this.interimTimer);
  }
}

export interface ScriptedReply {
  text?: string;
  /** The stream fails with this message after the first-token delay (a vendor outage). */
  error?: string;
  tools?: Array<{ name: string; args?: Record<string, unknown> }>;
}

export interface LlmCallRecord {
  messages: LlmMessage[];
  toolNames: string[];
  startedAt: number;
  firstTokenAt: number | null;
  tokenAt: number[];
  endedAt: number | null;
  aborted: boolean;
}

/** The sensible model's answer to the opening request, read from its instructions like any model. */
export function scriptedOpening(messages: readonly LlmMessage[]): ScriptedReply {
  const system = messages[0]?.role === "system" ? messages[0].content : "";
  return { tools: [{ name: "compose_opening", args: scriptedOpeningArguments(system) }] };
}

/**
 * Fake language model: answers from a script with a fixed first-token delay, then word by word at a
 * fixed rate; honours the abort signal like a real stream. The opening request made while the phone
 * rings is answered by `opening` and recorded apart, in `openingCalls`, so `calls` and the script's
 * index count the conversation's model calls only.
 */
export class ScriptedLlm implements LLM {
  readonly name = "scripted-llm";
  readonly capabilities = { streaming: true, tools: true };
  readonly calls: LlmCallRecord[] = [];
  readonly openingCalls: LlmCallRecord[] = [];
  /** Requests that forced a tool: the result asked for after the call, kept apart from the conversation. */
  readonly forced: LlmRequest[] = [];

  constructor(
    private readonly script: (messages: readonly LlmMessage[], index: number) => ScriptedReply,
    readonly firstTokenMs = 300,
    readonly tokensPerSecond = 50,
    private readonly opening: (messages: readonly LlmMessage[]) => ScriptedReply = scriptedOpening,
  ) {}

  async *stream(request: LlmRequest): AsyncIterable<LlmChunk> {
    const isOpening = (request.tools ?? []).some((t) => t.name === "compose_opening");
    if (request.toolChoice !== undefined && !isOpening) {
      // No judgement: the call then has no result, with the reason.
      this.forced.push(request);
      yield { type: "done", finishReason: "stop" };
      return;
    }
    const record: LlmCallRecord = {
      messages: [...request.messages],
      toolNames: (request.tools ?? []).map((t) => t.name),
      startedAt: performance.now(),
      firstTokenAt: null,
      tokenAt: [],
      endedAt: null,
      aborted: false,
    };
    const records = isOpening ? this.openingCalls : this.calls;
    records.push(record);
    const reply = isOpening
      ? this.opening(request.messages)
      : this.script(request.messages, this.calls.length - 1);
    try {
      await sleep(this.firstTokenMs, request.signal);
      if (reply.error !== undefined) throw new Error(reply.error);
      const tokens = (reply.text ?? "").match(/\S+\s*/g) ?? [];
      for (let i = 0; i < tokens.length; i++) {
        if (i > 0) await sleep(1000 / this.tokensPerSecond, request.signal);
        const at = performance.now();
        record.firstTokenAt ??= at;
        record.tokenAt.push(at);
        yield { type: "text", text: tokens[i]! };
      }
      for (const [i, tool] of (reply.tools ?? []).entries()) {
        yield {
          type: "tool_call",
          call: {
            id: `call_${records.length}_${i}`,
            name: tool.name,
            arguments: JSON.stringify(tool.args ?? {}),
          },
        };
      }
      yield { type: "done", finishReason: reply.tools?.length ? "tool_calls" : "stop" };
      record.endedAt = performance.now();
    } catch (error) {
      record.aborted = request.signal.aborted;
      throw error;
    }
  }
}

export interface TtsRecord {
  text: string;
  requestedAt: number;
  firstAudioAt: number | null;
}

/**
 * Fake speech synthesis: a tone whose length is proportional to the text, first audio a fixed delay
 * after the request, then streamed faster than real time like a real vendor.
 */
export class ToneTts implements TTS {
  readonly name = "tone-tts";
  readonly capabilities = { streaming: true, outputFormats: ["mulaw_8000"] as const };
  readonly requests: TtsRecord[] = [];

  constructor(
    readonly firstAudioMs = 120,
    readonly msPerChar = 45,
  ) {}

  async *synthesize(request: TtsRequest): AsyncIterable<Uint8Array> {
    const record: TtsRecord = { text: request.text, requestedAt: performance.now(), firstAudioAt: null };
    this.requests.push(record);
    await sleep(this.firstAudioMs, request.signal);
    const audio = sineMulaw(520, Math.max(100, request.text.length * this.msPerChar), 6000);
    for (let i = 0; i < audio.length; i += 1600) {
      if (request.signal.aborted) return;
      if (i > 0) await sleep(5, request.signal);
      record.firstAudioAt ??= performance.now();
      yield audio.subarray(i, i + 1600);
    }
  }
}

/** The person (or machine) on the other end of a sandbox line, driven by the test. */
export class FakeCallee {
  heardFrames = 0;
  /** performance.now() of each agent frame that carried sound. */
  readonly heardAt: number[] = [];
  /**
   * Frames the line has carried to the callee so far: the line's own clock, which both directions share
   * and which a stalled process delays without skewing.
   */
  lineFrames = 0;
  /** The line frame at which each agent frame that carried sound arrived. */
  readonly heardAtFrame: number[] = [];
  readonly digits: string[] = [];

  constructor(
    private readonly pair: MediaPair,
    private readonly stt: FakeStt,
  ) {
    pair.callee.attach({
      onAudio: (frame) => {
        this.lineFrames++;
        for (let i = 0; i < frame.length; i++) {
          if (frame[i] !== 0xff && frame[i] !== 0x7f) {
            this.heardFrames++;
            this.heardAt.push(performance.now());
            this.heardAtFrame.push(this.lineFrames);
            return;
          }
        }
      },
      onDigit: (d) => this.digits.push(d),
    });
  }

  /**
   * Talks for `ms` (speech-shaped sound) that the recogniser will hear as `text`, with an interim
   * `interimAfterMs` after it starts if given (`interimText`, by default the same words).
   */
  say(text: string, ms: number, interimAfterMs?: number, interimText?: string): void {
    this.stt.willHear(text, interimAfterMs, interimText);
    this.pair.callee.send(speechLikeMulaw(ms, text.length + 1));
  }

  /** Sound with no words (hold music, a beep). */
  play(audio: Uint8Array): void {
    this.pair.callee.send(audio);
  }

  /** Resolves when the agent has been silent for `quietMs` after having said something. */
  async agentFinished(quietMs = 400, timeoutMs = 20_000): Promise<void> {
    const start = performance.now();
    for (;;) {
      const last = this.heardAt.at(-1);
      if (last !== undefined && performance.now() - last >= quietMs) return;
      if (performance.now() - start > timeoutMs) throw new Error("agent never finished speaking");
      await sleep(20);
    }
  }

  /** Resolves once the line has carried `frame` frames to the callee. */
  async untilLineFrame(frame: number, timeoutMs = 20_000): Promise<void> {
    const start = performance.now();
    while (this.lineFrames < frame) {
      if (performance.now() - start > timeoutMs) throw new Error(`the line never reached frame ${frame}`);
      await sleep(10);
    }
  }

  /** Resolves once the agent starts making sound after `since`. */
  async agentSpeaks(since = performance.now(), timeoutMs = 20_000): Promise<number> {
    const start = performance.now();
    for (;;) {
      const at = this.heardAt.find((t) => t > since);
      if (at !== undefined) return at;
      if (performance.now() - start > timeoutMs) throw new Error("agent never spoke");
      await sleep(10);
    }
  }
}

export interface FakeCallOptions {
  request?: Partial<CallRequest>;
  answeredBy?: AnsweredBy;
  maxTalkSeconds?: number;
  bridgeResult?: BridgeResult;
}

/** An answered sandbox call as the call service would hand it to the engine. */
export function fakeAnsweredCall(options: FakeCallOptions = {}) {
  const pair = createMediaPair({});
  const controller = new AbortController();
  const transcript: TranscriptEntry[] = [];
  const sentDigits: string[] = [];
  let hangups = 0;
  let bridges = 0;
  let signalListener: ((signal: CallSignal) => void) | undefined;
  const call: AnsweredCall = {
    callId: `call-${Math.random().toString(36).slice(2)}`,
    request: { to: "+12125550100", task: "Confirm the appointment.", ...options.request },
    from: "+12125550199",
    answeredBy: options.answeredBy ?? "human",
    onSignal(listener) {
      signalListener = listener;
    },
    media: pair.agent,
    maxTalkSeconds: options.maxTalkSeconds ?? 600,
    appendTranscript(entry) {
      transcript.push({ ...entry, timestamp: new Date().toISOString() });
    },
    transcript: async () => [...transcript],
    async hangup() {
      hangups++;
      pair.end("hangup");
      controller.abort();
    },
    async sendDigits(digits) {
      sentDigits.push(digits);
      for (const d of digits) if (d !== "w") pair.pressDigit(d);
    },
    async bridge() {
      bridges++;
      return options.bridgeResult ?? { ok: true };
    },
    signal: controller.signal,
  };
  return {
    call,
    pair,
    transcript,
    sentDigits,
    get hangups() {
      return hangups;
    },
    get bridges() {
      return bridges;
    },
    /** The carrier reports something about the far end after the answer. */
    carrierSignal(signal: CallSignal) {
      signalListener?.(signal);
    },
    /** The callee hangs up. */
    calleeHangsUp() {
      pair.end("hangup");
      controller.abort();
    },
    dispose() {
      pair.end("hangup");
      controller.abort();
    },
  };
}

export { sleep };
