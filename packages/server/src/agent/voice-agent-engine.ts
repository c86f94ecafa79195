import { type CallRequest, DEFAULT_VOICE } from "@clawcall/contract";
import type { AnsweredCall, ConversationEngine, ConversationResult } from "../calls/conversation.ts";
import { SAMPLE_RATE } from "../media/media-stream.ts";
import type { LLM } from "../providers/llm/llm.ts";
import type { STT, SttEvent, SttSession } from "../providers/stt/stt.ts";
import type { TTS } from "../providers/tts/tts.ts";
import type { SpokenTextJournal } from "../voice/spoken-text.ts";
import { VoiceSession } from "../voice/voice-session.ts";
import type { ProviderNames, ReportFailure } from "./agent-failure.ts";
import { sttFailureOf } from "./agent-failure.ts";
import { CallAgent } from "./call-agent.ts";
import { judgeCall } from "./call-result-judge.ts";
import { OpeningPlan } from "./opening-plan.ts";
import {
  resolveVoiceAgentSettings,
  type VoiceAgentSettings,
  type VoiceAgentSettingsInput,
} from "./settings.ts";

export interface VoiceAgentEngineOptions {
  stt?: STT | null;
  llm?: LLM | null;
  tts?: TTS | null;
  settings?: VoiceAgentSettingsInput;
  /** Plain reasons shown when a provider is missing (the composition root names the settings). */
  missingReasons?: Partial<Record<"stt" | "llm" | "tts", string>>;
  /** Reports provider failures that do not end a call (warmup); never given transcript text. */
  onWarning?(message: string, error: unknown): void;
  /** Each provider failure met on a call (provider and kind only), for the operator's log and metrics. */
  onAgentFailure?: ReportFailure;
  /** Notes the text of the agent's played audio by mark, for a simulated far end (the sandbox). */
  spokenText?: SpokenTextJournal;
}

export interface VoiceAgentEngine extends ConversationEngine {
  /** Drops what `prepare` opened for a call that ended before it was answered. */
  release(callId: string): void;
  /** Closes recogniser sessions opened for calls that were never answered. */
  close(): Promise<void>;
}

const DEFAULT_MISSING = {
  llm: "no language model is configured",
  stt: "no speech recognition is configured",
  tts: "no speech synthesis is configured",
} as const;

/** A recogniser session opened while the phone rings; its events go wherever `target` points. */
interface PreparedStt {
  controller: AbortController;
  session: Promise<SttSession>;
  target: ((event: SttEvent) => void) | null;
  expiry: NodeJS.Timeout | undefined;
  /** The recogniser reported an error before the call was answered: open a fresh one. */
  failed: boolean;
  /** The opening line being composed and synthesised while the phone rings; null once handed on. */
  opening: OpeningPlan | null;
}

/**
 * The conversation engine of the service: one voice session and one agent per answered call, over the
 * configured STT, LLM and TTS. Recogniser sessions are opened (and the model and voice warmed up)
 * while the phone rings, so the first words are heard and answered without setup delay.
 */
export function createVoiceAgentEngine(options: VoiceAgentEngineOptions): VoiceAgentEngine {
  const settings = resolveVoiceAgentSettings(options.settings);
  const prepared = new Map<string, PreparedStt>();
  const missing = { ...DEFAULT_MISSING, ...options.missingReasons };
  const warn = options.onWarning ?? (() => {});

  const unsuitable = unsuitableReason(options);
  const unavailableReason = (): string | null => {
    if (!options.llm) return missing.llm;
    if (!options.stt) return missing.stt;
    if (!options.tts) return missing.tts;
    return unsuitable;
  };

  const openStt = (stt: STT, request: CallRequest): PreparedStt => {
    const controller = new AbortController();
    const entry: PreparedStt = {
      controller,
      target: null,
      expiry: undefined,
      failed: false,
      opening: null,
      session: stt.open({
        encoding: "mulaw",
        sampleRate: SAMPLE_RATE,
        language: settings.language,
        hints: hintsFor(request),
        signal: controller.signal,
        onEvent: (event) => {
          if (entry.target !== null) entry.target(event);
          else if (event.type === "error") entry.failed = true;
        },
      }),
    };
    // Observed here so a failure while ringing is not an unhandled rejection; run() reports it.
    entry.session.catch(() => {});
    return entry;
  };

  const providerNames = (): ProviderNames => ({
    llm: options.llm?.name ?? "none",
    stt: options.stt?.name ?? "none",
    tts: options.tts?.name ?? "none",
  });

  const discard = (callId: string) => {
    const entry = prepared.get(callId);
    if (entry === undefined) return;
    prepared.delete(callId);
    clearTimeout(entry.expiry);
    entry.opening?.cancel();
    entry.controller.abort();
    entry.session.then((s) => s.close()).catch(() => {});
  };

  const openingPlan = (request: CallRequest, llm: LLM | null) =>
    new OpeningPlan({
      request,
      llm,
      tts: options.tts!,
      temperature: settings.temperature,
      chunker: settings.voice.chunker,
      onWarning: warn,
    });

  return {
    unavailableReason,

    prepare(callId, request) {
      if (unavailableReason() !== null || prepared.has(callId)) return;
      const entry = openStt(options.stt!, request);
      entry.expiry = setTimeout(() => discard(callId), settings.preparedSessionTtlMs);
      entry.expiry.unref?.();
      // The model composes the opening while the phone rings; its request also warms the connection.
      entry.opening = openingPlan(request, options.llm!);
      prepared.set(callId, entry);
      options.llm?.warmup?.().catch((e: unknown) => warn("language model warmup failed", e));
      options.tts
        ?.warmup?.(request.voice ?? DEFAULT_VOICE)
        .catch((e: unknown) => warn("speech synthesis warmup failed", e));
    },

    async run(call: AnsweredCall): Promise<ConversationResult> {
      const reason = unavailableReason();
      if (reason !== null) {
        discard(call.callId);
        call.appendTranscript({ role: "system", text: `The agent cannot hold this call: ${reason}.` });
        const end = {
          cause: "agent_unavailable" as const,
          message: `The voice agent is not available: ${reason}.`,
        };
        await call.hangup(end).catch(() => {});
        return {
          endReason: reason,
          end,
          result: null,
          resultUnavailable: `no result without the voice agent: ${reason}`,
        };
      }
      let entry = prepared.get(call.callId);
      // Not prepared while ringing: the template opening, with no model call before the answer.
      const opening = entry?.opening ?? openingPlan(call.request, null);
      if (entry !== undefined) entry.opening = null;
      if (entry?.failed) {
        discard(call.callId);
        entry = undefined;
      }
      prepared.delete(call.callId);
      if (entry !== undefined) clearTimeout(entry.expiry);
      else entry = openStt(options.stt!, call.request);
      const stopStt = () => entry.controller.abort();
      call.signal.addEventListener("abort", stopStt, { once: true });

      let sttSession: SttSession;
      try {
        sttSession = await entry.session;
      } catch (error) {
        call.signal.removeEventListener("abort", stopStt);
        opening.cancel();
        options.onAgentFailure?.(sttFailureOf(error, providerNames()));
        call.appendTranscript({
          role: "system",
          text: "Speech recognition could not start; the call was ended.",
        });
        const end = {
          cause: "agent_failed" as const,
          message: "The voice agent failed at the answer: speech recognition could not start.",
        };
        await call.hangup(end).catch(() => {});
        return {
          endReason: "speech recognition failed to start",
          end,
          result: null,
          resultUnavailable: "no result: speech recognition failed to start, so nothing was heard",
        };
      }

      const agent = new CallAgent(call, options.llm!, settings, opening, {
        ...(options.onAgentFailure ? { onFailure: options.onAgentFailure } : {}),
        providerNames: providerNames(),
      });
      const session = new VoiceSession({
        media: call.media,
        stt: sttSession,
        tts: options.tts!,
        voice: call.request.voice ?? DEFAULT_VOICE,
        handlers: agent.handlers,
        settings: settings.voice,
        ...(options.spokenText ? { spokenText: options.spokenText } : {}),
      });
      entry.target = (event) => session.onSttEvent(event);
      let ended: ConversationResult;
      try {
        ended = { ...(await agent.run(session)), latency: session.latencySummary() };
      } finally {
        entry.target = null;
        session.close();
        call.signal.removeEventListener("abort", stopStt);
        entry.controller.abort();
      }
      // The agent has stopped (and hung up): what came of the call is judged before it is finalized.
      const judged = await judgeCall(options.llm!, call.request, await call.transcript(), {
        onError: (e) => warn("the language model could not judge the call", e),
      });
      return { ...ended, ...judged };
    },

    release(callId) {
      discard(callId);
    },

    async close() {
      for (const callId of [...prepared.keys()]) discard(callId);
    },
  };
}

/**
 * Why the configured providers cannot hold a call even though all three are there, read from what they
 * declare: the recogniser is fed the phone line's audio as is, and the agent acts through tools.
 */
function unsuitableReason({ stt, llm }: VoiceAgentEngineOptions): string | null {
  if (
    stt &&
    !(stt.capabilities.inputEncodings.includes("mulaw") && stt.capabilities.sampleRates.includes(SAMPLE_RATE))
  )
    return `the speech recognition (${stt.name}) cannot take the phone line's 8 kHz mu-law audio`;
  if (llm && !llm.capabilities.tools) return `the language model (${llm.name}) cannot call tools`;
  return null;
}

/** Names in the request help a recogniser that takes hints; the task itself is not sent as hints. */
function hintsFor(request: CallRequest): string[] {
  const text = `${request.personality ?? ""} ${request.greeting ?? ""}`;
  return [...new Set(text.match(/\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b/g) ?? [])].slice(0, 20);
}

export type { VoiceAgentSettings };
