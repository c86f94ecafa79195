import type { LineKey } from "./lines.ts";

/** What a callee does after one of the agent's turns: lines to say, then maybe hang up. */
export interface Reaction {
  say: LineKey[];
  end?: boolean;
}

/**
 * A callee's side of the conversation, apart from audio and timing: given the words it heard in one of
 * the agent's turns, what it says back. Pure and synchronous, so goals and needs are unit-tested fast.
 */
export interface Mind {
  turn(heard: string): Reaction;
}
