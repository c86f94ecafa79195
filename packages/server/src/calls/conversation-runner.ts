import type { TranscriptEntry } from "@clawcall/contract";
import type { MediaHandlers, MediaStream } from "../media/media-stream.ts";
import type { LatencySummary } from "../observability/latency.ts";
import type { Logger } from "../observability/logger.ts";
import type { Carrier } from "../telephony/carrier.ts";
import type { ActiveCall } from "./active-call.ts";
import type { ConversationEngine } from "./conversation.ts";
import { type HandoffHost, ringUser } from "./handoff-leg.ts";
import type { EndInfo } from "./outcomes.ts";

/** What a running conversation may do to its call and the service around it; nothing more. */
export interface ConversationHost extends HandoffHost {
  engine: ConversationEngine;
  logger: Logger;
  carrier: Pick<Carrier, "sendDigits" | "bridge">;
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
      hangup: () => host.endBySystem(call.id, { cause: "normal", source: "caller", answered: true }),
      sendDigits: (digits) => host.carrier.sendDigits(call.id, digits),
      bridge: () => ringUser(host, call),
      signal: call.controller.signal,
    })
    .then(async (result) => {
      if (result.latency) await host.recordLatency(call.id, result.latency);
      // Once the user is connected, the agent has left but the call goes on until a party hangs up.
      const handedOff = call.handoff?.status === "connected";
      if (!call.controller.signal.aborted && !handedOff && !farEndClosed) {
        await host.endBySystem(call.id, { cause: "normal", source: "caller", answered: true });
      }
    })
    .catch(async (err) => {
      logger.error({ err, callId: call.id }, "conversation failed");
      if (!call.controller.signal.aborted) {
        await host.endBySystem(call.id, {
          cause: "agent_unavailable",
          source: "system",
          answered: true,
          message: "The voice agent failed during the call and the call was ended.",
        });
      }
    });
}
