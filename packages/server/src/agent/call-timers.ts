import type { AgentVoice } from "./agent-voice.ts";
import type { AgentEnd } from "./call-end.ts";
import type { VoiceAgentSettings } from "./settings.ts";

/**
 * The limit a call runs into, the caller's remaining talk time or the maximum call length, whichever is
 * shorter; `goodbyeAtMs` leaves room before it for a goodbye.
 */
export function callLimit(
  maxTalkSeconds: number,
  settings: Pick<VoiceAgentSettings, "maxCallMs" | "goodbyeReserveMs">,
): { end: AgentEnd; goodbyeAtMs: number } {
  const talkMs = Number.isFinite(maxTalkSeconds)
    ? Math.max(0, maxTalkSeconds * 1000)
    : Number.POSITIVE_INFINITY;
  // setTimeout cannot wait longer than about 24.8 days.
  const limitMs = Math.min(talkMs, settings.maxCallMs, 2 ** 31 - 1);
  const end: AgentEnd =
    talkMs < settings.maxCallMs
      ? { reason: "the caller's remaining talk time ran out", end: { cause: "balance_exhausted" } }
      : { reason: "the maximum call length was reached", end: { cause: "max_duration" } };
  const reserve = Math.min(settings.goodbyeReserveMs, limitMs / 4);
  return { end, goodbyeAtMs: Math.max(0, limitMs - reserve) };
}

export interface CallTimerHandlers {
  /** Every `tickMs`, for the waits each mode counts. */
  tick(): void;
  /** At `goodbyeAtMs`. */
  deadline(): void;
  /** The call ended (its signal aborted). */
  aborted(): void;
}

/** Starts the call's tick, its deadline and the watch on its end; returns what stops them all. */
export function startCallTimers(
  signal: AbortSignal,
  o: { tickMs: number; goodbyeAtMs: number },
  on: CallTimerHandlers,
): () => void {
  const tick = setInterval(() => on.tick(), o.tickMs);
  const deadline = setTimeout(() => on.deadline(), o.goodbyeAtMs);
  const aborted = () => on.aborted();
  signal.addEventListener("abort", aborted, { once: true });
  return () => {
    clearInterval(tick);
    clearTimeout(deadline);
    signal.removeEventListener("abort", aborted);
  };
}

export const SILENT_LINE: AgentEnd = { reason: "the line was silent", end: { cause: "silent_line" } };

/** Nobody has spoken, nor has the agent, for `silentLineMs`: the line is dead in all but name. */
export function lineSilent(voice: AgentVoice, now: number, silentLineMs: number): boolean {
  return !voice.speaking && !voice.calleeSpeaking && now - voice.lastActivity >= silentLineMs;
}
