import { getHeapSpaceStatistics } from "node:v8";

/**
 * Young-generation collections at a moment the call can spare one. A reply's own work (the model
 * request, its stream, the speech) allocates enough that, on a quiet process, the scavenge it sets off
 * lands inside that work about one turn in ten, a millisecond or two added to the time the callee waits.
 * While the callee is talking nothing is urgent: a nursery already half full is emptied then, and the
 * reply that follows starts with room. `npm start` exposes V8's collector (see main.ts); without it this
 * does nothing.
 */
export type MinorGc = (options: { type: "minor" }) => void;

let collect: MinorGc | undefined;

/** Hands the exposed collector over (main.ts); undefined takes it back. */
export function allowNurseryCollection(gc: MinorGc | undefined): void {
  collect = gc;
}

/** Empties the young generation if it is at least half full. True when it did. */
export function collectNurseryWhileIdle(usage: () => { used: number; capacity: number } = newSpace): boolean {
  if (collect === undefined) return false;
  const { used, capacity } = usage();
  if (used * 2 < capacity) return false;
  collect({ type: "minor" });
  return true;
}

/**
 * V8's young generation now: bytes in use, room for objects before the next scavenge, and the pages it
 * holds (both semi-spaces; what it gives back when it shrinks).
 */
export function newSpace(): { used: number; capacity: number; size: number } {
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === "new_space")
      return {
        used: space.space_used_size,
        capacity: space.space_used_size + space.space_available_size,
        size: space.space_size,
      };
  }
  return { used: 0, capacity: 1, size: 0 };
}
