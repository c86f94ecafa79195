import type { TranscriptEntry } from "@clawcall/contract";
import type { MediaHandlers, MediaStream } from "../media/media-stream.ts";
import type { LatencySummary } from "../observability/latency.ts";
import type { Logger } from "../observability/logger.ts";
import type { Carrier } from "../telephony/carrier.ts";
import type { ActiveCall } from "./active-call.ts";
import type { ConversationEnd, ConversationEngine } from "./conversation.ts";
import type { NumberPool } from "./number-pool.ts";
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
export interface ConversationHost {
  engine: ConversationEngine;
  logger: Logger;
  carrier: Pick<Carrier, "sendDigits" | "bridge">;
  /** The handoff's second line comes from the pool like any call's. */
  pool: Pick<NumberPool, "acquire" | "release">;
  endBySystem(callId: string, info: EndInfo): Promise<void>;
  appendTranscript(callId: string, entry: Omit<TranscriptEntry, "timestamp">): Promise<void>;
  recordLatency(callId: string, latency: LatencySummary): Promise<void>;
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
  // Once the user is bridged in, the agent leaves but the call goes on until a party hangs up.
  let bridged = false;
  engine
    .run({
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
        void host.appendTranscript(call.id, entry);
      },
      hangup: (end) => host.endBySystem(call.id, endInfoOf(end)),
      sendDigits: (digits) => host.carrier.sendDigits(call.id, digits),
      bridge: async () => {
        if (!call.bridgeNumber) return { ok: false, reason: "failed", message: "no bridge number was given" };
        // The handoff rings a second line, which counts against the channel limit like a call of its own;
        // it is held until the call ends (settlement frees every line of the call).
        const line = await host.pool.acquire(call.id);
        if (line === null) {
          return {
            ok: false,
            reason: "failed",
            message: "no free line for the handoff: every channel is in use",
          };
        }
        const result = await host.carrier.bridge(call.id, call.bridgeNumber, call.from);
        if (result.ok) bridged = true;
        else await host.pool.release(line, call.id);
        return result;
      },
      signal: call.controller.signal,
    })
    .then(async (result) => {
      if (result.latency) await host.recordLatency(call.id, result.latency);
      if (!call.controller.signal.aborted && !bridged && !farEndClosed) {
        await host.endBySystem(call.id, endInfoOf(result.end));
      }
    })
    .catch(async (err) => {
      logger.error({ err, callId: call.id }, "conversation failed");
      if (!call.controller.signal.aborted) {
        await host.endBySystem(call.id, {
          cause: "agent_failed",
          source: "system",
          answered: true,
          message: "The voice agent failed during the call and the call was ended.",
        });
      }
    });
}
