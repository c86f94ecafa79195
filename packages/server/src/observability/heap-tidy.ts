import { getHeapStatistics } from "node:v8";

/**
 * Heap compaction kept away from calls. V8's memory reducer compacts the heap when it judges the process
 * idle by its allocation rate, and a process carrying calls (steady 20 ms frames, little garbage) looks
 * idle to it: its pause, 150–200 ms on a heap fresh from start-up, lands mid-call as a gap in the agent's
 * audio and a late reply. `npm start` turns the reducer off and hands its `gc` here; the heap is then
 * compacted only while the process holds no call. An application embedding the service keeps V8's policy.
 */

export interface HeapTidyOptions {
  /** V8's collector, as `--expose-gc` gives it. */
  gc: ExposedGc;
  /** Calls this process holds now. */
  activeCalls(): number;
  /** How long the process must hold no call before it compacts. */
  idleMs?: number;
  /** How often that is checked. */
  checkMs?: number;
  /**
   * Growth of the heap's footprint (its committed pages and the buffers it holds outside them) since the
   * last compaction that makes another worth it, while no call is held.
   */
  growthBytes?: number;
  now?: () => number;
}

/** Called with no argument it is a full, compacting collection (node 20's V8 takes any argument as "minor"). */
export type ExposedGc = () => void;

export interface HeapTidy {
  /** Compactions done so far. */
  readonly tidied: number;
  stop(): void;
}

export function tidyHeapWhenIdle(options: HeapTidyOptions): HeapTidy {
  const { gc } = options;
  const now = options.now ?? (() => performance.now());
  const idleMs = options.idleMs ?? 5000;
  const growthBytes = options.growthBytes ?? 4 * 1024 * 1024;
  let tidied = 0;
  let quietSince: number | null = now();
  // Start-up leaves the most garbage of all: the first quiet spell is worth a compaction.
  let dirty = true;
  let footprintAfter = 0;
  const timer = setInterval(() => {
    if (options.activeCalls() > 0) {
      quietSince = null;
      dirty = true;
      return;
    }
    quietSince ??= now();
    if (now() - quietSince < idleMs) return;
    // Work done with no call (a sandbox warm-up, a burst of API requests) grows the heap too; ordinary
    // collections free its garbage but keep the pages.
    if (!dirty && footprint() - footprintAfter < growthBytes) return;
    dirty = false;
    // A full, compacting collection while nobody is on a call. It keeps more pages committed than the
    // reducer's would (no JavaScript call asks V8 to shrink the heap), which the idle bench shows is fine.
    gc();
    footprintAfter = footprint();
    tidied++;
  }, options.checkMs ?? 1000);
  timer.unref();
  return {
    get tidied() {
      return tidied;
    },
    stop: () => clearInterval(timer),
  };
}

function footprint(): number {
  const heap = getHeapStatistics();
  return heap.total_heap_size + heap.external_memory;
}
