/** Per-call latency at the audio boundary, in milliseconds. */
export interface LatencySummary {
  turns: number;
  turn_p50_ms: number | null;
  turn_p95_ms: number | null;
  barge_ins: number;
  barge_in_p50_ms: number | null;
  barge_in_p95_ms: number | null;
}

/** Nearest-rank percentile of an unsorted sample; null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/** Per-call latency samples at the audio boundary. */
export class LatencyRecorder {
  readonly turns: number[] = [];
  readonly bargeIns: number[] = [];

  /** End of the callee's speech → first agent audio handed to the media stream. */
  recordTurn(ms: number): void {
    this.turns.push(Math.max(0, ms));
  }

  /** Onset of the callee's speech over the agent → playback cleared. */
  recordBargeIn(ms: number): void {
    this.bargeIns.push(Math.max(0, ms));
  }

  summary(): LatencySummary {
    return {
      turns: this.turns.length,
      turn_p50_ms: round(percentile(this.turns, 50)),
      turn_p95_ms: round(percentile(this.turns, 95)),
      barge_ins: this.bargeIns.length,
      barge_in_p50_ms: round(percentile(this.bargeIns, 50)),
      barge_in_p95_ms: round(percentile(this.bargeIns, 95)),
    };
  }
}
