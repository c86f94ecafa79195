import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The young generation `npm run bench` gives the bench's process, in MB (package.json's flags). */
export const HARNESS_YOUNG_MB = 32;
/** The node flags that give it (tsx passes them on to node). */
export const HARNESS_YOUNG_FLAGS = `--min-semi-space-size=${HARNESS_YOUNG_MB} --max-semi-space-size=${HARNESS_YOUNG_MB}`;

/**
 * V8's collector for the bench's own process, so a bench can collect its garbage between the things it
 * times instead of during them; null where V8 refuses.
 */
export function exposeGc(): (() => void) | null {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    return typeof gc === "function" ? () => (gc as () => void)() : null;
  } catch {
    return null;
  }
}

/**
 * How late this process's event loop runs, counted only while started: each span between start and stop
 * is a monitorEventLoopDelay of its own, since one re-enabled after a pause counts the pause. Reports the
 * worst span's 99th percentile and the longest delay in any.
 */
export class LoopLateness {
  private monitor: IntervalHistogram | undefined;
  private worstP99 = 0;
  private longest = 0;

  start(): void {
    if (this.monitor !== undefined) return;
    this.monitor = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.monitor.enable();
  }

  stop(): void {
    const monitor = this.monitor;
    if (monitor === undefined) return;
    monitor.disable();
    this.monitor = undefined;
    if (monitor.count === 0) return;
    // Each sample is the timer's interval: its resolution plus the lateness.
    this.worstP99 = Math.max(this.worstP99, monitor.percentile(99) / 1e6 - RESOLUTION_MS);
    this.longest = Math.max(this.longest, monitor.max / 1e6 - RESOLUTION_MS);
  }

  /** The worst span's 99th percentile of lateness, in ms to a tenth. */
  get p99Ms(): number {
    return Math.round(this.worstP99 * 10) / 10;
  }

  get maxMs(): number {
    return Math.round(this.longest * 10) / 10;
  }
}

const RESOLUTION_MS = 1;
