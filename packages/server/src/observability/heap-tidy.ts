import { getHeapStatistics } from "node:v8";
import { newSpace } from "./nursery.ts";

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
  /** The young generation's size now (V8's new space, by default). */
  youngBytes?: () => number;
}

/** A young generation larger than this after a compaction is still the one start-up or calls grew. */
const YOUNG_KEPT_BYTES = 8 * 1024 * 1024;
/** Compactions in one quiet spell to give the young generation back, after the first. */
const YOUNG_RETRIES = 2;

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
  const youngBytes = options.youngBytes ?? (() => newSpace().size);
  let lastTidyAt = Number.NEGATIVE_INFINITY;
  let youngRetries = 0;
  const timer = setInterval(() => {
    if (options.activeCalls() > 0) {
      quietSince = null;
      dirty = true;
      youngRetries = 0;
      return;
    }
    quietSince ??= now();
    if (now() - quietSince < idleMs) return;
    // Work done with no call (a sandbox warm-up, a burst of API requests) grows the heap too; ordinary
    // collections free its garbage but keep the pages.
    if (!dirty && footprint() - footprintAfter < growthBytes) {
      // V8 gives back a young generation it grew (16 MB and more of resident pages) only in a collection
      // that finds the process allocating slowly; the first one after start-up or after calls may come
      // while their work still runs down. A later one, a quiet spell on, does.
      const youngLeft =
        youngRetries < YOUNG_RETRIES && now() - lastTidyAt >= idleMs && youngBytes() > YOUNG_KEPT_BYTES;
      if (!youngLeft) return;
      youngRetries++;
    }
    dirty = false;
    // A full, compacting collection while nobody is on a call. It keeps more old-generation pages
    // committed than the reducer's would (no JavaScript call asks V8 to shrink that), which the idle bench
    // shows is fine.
    gc();
    footprintAfter = footprint();
    lastTidyAt = now();
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
