import type { TranscriptEntry } from "@clawcall/contract";
import type { MediaHandlers, MediaStream } from "../media/media-stream.ts";
import type { LatencySummary } from "../observability/latency.ts";
import type { Logger } from "../observability/logger.ts";
import type { Carrier } from "../telephony/carrier.ts";
import type { ActiveCall } from "./active-call.ts";
import type { ConversationEnd, ConversationEngine, ConversationResult } from "./conversation.ts";
import { type HandoffHost, ringUser } from "./handoff-leg.ts";
import type { EndInfo } from "./outcomes.ts";

/** Who ended the call, by the way its conversation ended: the agent's side, the far end, or the service. */
function endInfoOf(end: ConversationEnd | undefined): EndInfo {
  if (end === undefined) return { cause: "normal", source: "caller", answered: true };
  const source =
    end.cause === "callee_hung_up"
      ? "callee"
      : end.cause === "agent_ended" || end.cause === "voicemail_left" || end.cause === "silent_line"
        ? "caller"
        : end.cause === "handoff_completed"
          ? "unknown"
          : "system";
  return { cause: end.cause, source, answered: true, ...(end.message ? { message: end.message } : {}) };
}

/** What a running conversation may do to its call and the service around it; nothing more. */
export interface ConversationHost extends HandoffHost {
  engine: ConversationEngine;
  logger: Logger;
  carrier: Pick<Carrier, "sendDigits" | "bridge">;
  endBySystem(callId: string, info: EndInfo): Promise<void>;
  /** The agent's own hang-up: ends the call at the carrier; the runner finalizes it. */
  endByAgent(callId: string, info: EndInfo): Promise<void>;
  /** Finalizes the call with `info` unless another end was decided first. */
  finalizeConversation(callId: string, info: EndInfo): Promise<void>;
  appendTranscript(callId: string, entry: Omit<TranscriptEntry, "timestamp">): Promise<void>;
  recordLatency(callId: string, latency: LatencySummary): Promise<void>;
  transcript(callId: string): Promise<TranscriptEntry[] | null>;
}

/**
 * Hands an answered call's media to the conversation engine. When no engine can run (e.g. no model is
 * configured), the call is ended at once with a plain reason rather than a made-up conversation.
 * A media path that drops under a live call ends it as a network error.
 */
export function startConversation(host: ConversationHost, call: ActiveCall, stream: MediaStream): void {
  const { engine, logger } = host;
  const unavailable = engine.unavailableReason();
  if (unavailable !== null) {
    stream.close();
    call.report = { result: null, unavailable: `no result without the voice agent: ${unavailable}` };
    void host.endBySystem(call.id, {
      cause: "agent_unavailable",
      source: "system",
      answered: true,
      message: `The call was answered but the voice agent is not available: ${unavailable}`,
    });
    return;
  }

  // Once the far end hung up, the carrier's own hang-up event settles the call (with its cause).
  let farEndClosed = false;
  const watched: MediaStream = {
    attach(handlers: MediaHandlers) {
      stream.attach({
        ...handlers,
        onClose(reason) {
          farEndClosed = true;
          handlers.onClose?.(reason);
          if (reason === "dropped") {
            void host.endBySystem(call.id, { cause: "network_error", source: "unknown", answered: true });
          }
        },
      });
    },
    send: (audio) => stream.send(audio),
    mark: (name) => stream.mark(name),
    clear: () => stream.clear(),
    close: () => stream.close(),
  };

  const maxTalkSeconds = call.budgetSeconds;
  // A verdict that came before the conversation starts is in `answeredBy` already; later ones are signals.
  const answeredBy = call.answeredBy;
  call.pendingSignals = call.pendingSignals.filter((s) => s.type !== "answered_by");
  // Lines are added in order, and all of them before the call is finalized.
  let appends = Promise.resolve();
  call.conversing = true;
  const run = engine.run({
    callId: call.id,
    request: call.request,
    from: call.from,
    answeredBy,
    onSignal: (listener) => {
      call.signalListener = listener;
      // Signals may have come while the engine was still starting (e.g. opening speech recognition).
      const pending = call.pendingSignals;
      call.pendingSignals = [];
      for (const s of pending) listener(s);
    },
    media: watched,
    maxTalkSeconds,
    appendTranscript: (entry) => {
      appends = appends
        .then(() => host.appendTranscript(call.id, entry))
        .catch((err) => logger.warn({ err, callId: call.id }, "transcript line not kept"));
    },
    transcript: async () => {
      await appends;
      return (await host.transcript(call.id)) ?? [];
    },
    hangup: (end) => host.endByAgent(call.id, endInfoOf(end)),
    sendDigits: (digits) => host.carrier.sendDigits(call.id, digits),
    bridge: () => ringUser(host, call),
    signal: call.controller.signal,
  });
  void (async () => {
    const ran = await stopped(run, call.controller.signal);
    await appends;
    call.conversing = false;
    if (ran.kind === "failed") logger.error({ err: ran.error, callId: call.id }, "conversation failed");
    if (ran.kind === "stuck")
      logger.warn({ callId: call.id }, "conversation did not stop after the call ended");
    const told = ran.kind === "returned" ? ran.value : null;
    if (told?.latency) await host.recordLatency(call.id, told.latency).catch(() => {});
    call.report = told
      ? { result: told.result ?? null, ...(told.result ? {} : { unavailable: unavailableReason(told) }) }
      : { result: null, unavailable: "no result was made: the voice agent did not finish the call" };
    // The agent left a connected call: the two parties talk on, and the carrier's hang-up ends it.
    if (call.handoff?.status === "connected" && call.pendingEnd === null) return;
    await host.finalizeConversation(call.id, endOf(call, told, farEndClosed));
  })().catch((err) => logger.error({ err, callId: call.id }, "finalizing a conversation failed"));
}

/**
 * How long a conversation may take to stop once its call has ended (the agent's last words and what came
 * of the call included) before the call is finalized without it: a stuck agent cannot hold a call open.
 */
export const STOP_GRACE_MS = 20_000;

type Ran =
  | { kind: "returned"; value: ConversationResult }
  | { kind: "failed"; error: unknown }
  | { kind: "stuck" };

/** The conversation's own end, or "stuck" when it is still running `STOP_GRACE_MS` after the call ended. */
function stopped(run: Promise<ConversationResult>, ended: AbortSignal): Promise<Ran> {
  let timer: NodeJS.Timeout | undefined;
  let onEnd = () => {};
  const grace = new Promise<Ran>((resolve) => {
    onEnd = () => {
      timer = setTimeout(() => resolve({ kind: "stuck" }), STOP_GRACE_MS);
      timer.unref();
    };
    if (ended.aborted) onEnd();
    else ended.addEventListener("abort", onEnd, { once: true });
  });
  const own = run.then(
    (value): Ran => ({ kind: "returned", value }),
    (error: unknown): Ran => ({ kind: "failed", error }),
  );
  return Promise.race([own, grace]).finally(() => {
    clearTimeout(timer);
    ended.removeEventListener("abort", onEnd);
  });
}

/**
 * The end the call is finalized with: the first one decided while the conversation ran, except that the
 * agent's own hang-up gives way to the conversation's account of why it hung up.
 */
function endOf(call: ActiveCall, told: ConversationResult | null, farEndClosed: boolean): EndInfo {
  const own: EndInfo | null = told?.end ? endInfoOf(told.end) : null;
  if (call.pendingEnd && !(call.endedByAgent && own)) return call.pendingEnd;
  if (own) return own;
  if (told === null) {
    return {
      cause: "agent_failed",
      source: "system",
      answered: true,
      message: "The voice agent failed during the call and the call was ended.",
    };
  }
  return { cause: "normal", source: farEndClosed ? "callee" : "caller", answered: true };
}

function unavailableReason(told: ConversationResult): string {
  return told.resultUnavailable ?? "no result was made: the conversation gave none";
}
