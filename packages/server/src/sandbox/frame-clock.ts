/**
 * One clock for every sandbox line of a frame period. Each line used to run its own 20 ms timer: with
 * hundreds of calls that was tens of thousands of timer callbacks a second, each followed by its own
 * round of microtasks. Lines now take their frame in turn on one shared tick.
 */
class FrameClock {
  private readonly lines = new Set<() => void>();
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly period: number) {}

  add(step: () => void): () => void {
    this.lines.add(step);
    if (!this.timer) {
      this.next = performance.now() + this.period;
      this.timer = setTimeout(this.loop, this.period);
    }
    return () => {
      this.lines.delete(step);
      if (this.lines.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  // Self-correcting: catches up after a late tick instead of drifting, as a carrier's clock does.
  private readonly loop = () => {
    const now = performance.now();
    let guard = 0;
    while (this.next <= now && guard++ < 10) {
      for (const step of this.lines) {
        try {
          step();
        } catch (err) {
          // One line's failure is reported as its own timer's would have been, and the others go on.
          queueMicrotask(() => {
            throw err;
          });
        }
      }
      this.next += this.period;
    }
    if (this.next <= now) this.next = now + this.period;
    this.timer =
      this.lines.size > 0 ? setTimeout(this.loop, Math.max(0, this.next - performance.now())) : undefined;
  };
}

const clocks = new Map<number, FrameClock>();

/** Calls `step` once per `periodMs` on the clock shared by lines of that period; returns the stop. */
export function everyFrame(periodMs: number, step: () => void): () => void {
  let clock = clocks.get(periodMs);
  if (!clock) {
    clock = new FrameClock(periodMs);
    clocks.set(periodMs, clock);
  }
  return clock.add(step);
}
