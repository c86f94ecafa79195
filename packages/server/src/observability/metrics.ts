import client from "prom-client";
import { RequestDurations } from "./request-durations.ts";

/** Seconds: polling answers in about a millisecond, a slow page in a second or two. */
export const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Prometheus metrics of one service instance (a registry of its own, so tests can run several). */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    callsPlaced: new client.Counter({
      name: "clawcall_calls_placed_total",
      help: "Calls accepted by POST /call",
      registers: [registry],
    }),
    callsFinalized: new client.Counter({
      name: "clawcall_calls_finalized_total",
      help: "Calls that reached a final state, by outcome",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    activeCalls: new client.Gauge({
      name: "clawcall_active_calls",
      help: "Calls in flight on this node",
      registers: [registry],
    }),
    agentFailures: new client.Counter({
      name: "clawcall_agent_failures_total",
      help: "Provider failures the voice agent met on calls (recovered or not), by provider and kind",
      labelNames: ["provider", "kind"] as const,
      registers: [registry],
    }),
    keysMinted: new client.Counter({
      name: "clawcall_keys_minted_total",
      help: "API keys minted on first use",
      registers: [registry],
    }),
    webhookAttempts: new client.Counter({
      name: "clawcall_webhook_attempts_total",
      help: "Webhook delivery attempts, by result: delivered, retry (tried again later) or failed (given up)",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    secondsDebited: new client.Counter({
      name: "clawcall_talk_seconds_debited_total",
      help: "Talk seconds debited from balances",
      registers: [registry],
    }),
    httpDuration: new RequestDurations(registry, HTTP_BUCKETS),
    turnLatency: new client.Histogram({
      name: "clawcall_turn_latency_seconds",
      help: "End of callee speech to first agent audio on the wire, per turn (p50 per call)",
      buckets: [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5],
      registers: [registry],
    }),
    bargeInLatency: new client.Histogram({
      name: "clawcall_barge_in_latency_seconds",
      help: "Callee speech onset over agent playback to playback cleared (p50 per call)",
      buckets: [0.05, 0.1, 0.15, 0.2, 0.25, 0.35, 0.5, 1],
      registers: [registry],
    }),
    sandboxFrameJitter: new client.Histogram({
      name: "clawcall_sandbox_frame_jitter_seconds",
      help: "Sandbox lines: |inter-arrival - 20 ms| of each frame the agent's side receives",
      buckets: [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
