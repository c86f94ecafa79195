import type { OfficeTopic } from "./intents.ts";

/** One thing a callee did for the caller (or refused to), as a test or `npm run eval` reads it. */
export type VerdictAction =
  | { action: "confirmed"; appointment: string }
  | { action: "rescheduled"; appointment: string; to: string }
  | { action: "cancelled"; appointment: string }
  | { action: "answered"; topic: OfficeTopic }
  /** A person took care of the stated purpose (the desk after a hold queue, the interrupter). */
  | { action: "handled" }
  | { action: "menu_choice"; digit: string; department: string }
  | { action: "put_through" }
  /** What a mailbox kept after the beep; `complete` is false when the mailbox cut it off. */
  | { action: "message"; text: string; complete: boolean; states_purpose: boolean }
  | { action: "declined"; why: string }
  /** The callee asked for something the caller could not give, and told it so. */
  | { action: "needs_info"; what: string };

/**
 * What the callee did on a sandbox call, from its side. For tests and the evaluation only: it is kept
 * under the call's sandbox-only `_meta.sandbox`, and the agent never sees it.
 */
export interface SandboxVerdict {
  persona: string;
  actions: VerdictAction[];
  /** Why nothing was done for the caller, or null when something was. */
  nothing_done: string | null;
}

const DOING = new Set([
  "confirmed",
  "rescheduled",
  "cancelled",
  "answered",
  "handled",
  "put_through",
  "message",
]);

/** Collects a persona's actions as the call goes, and what it still lacked if it did nothing. */
export class VerdictLog {
  private readonly actions: VerdictAction[] = [];
  private lacking = "the call ended before anything was asked";
  private readonly finishers: Array<() => void> = [];

  constructor(readonly persona: string) {}

  did(action: VerdictAction): void {
    this.actions.push(action);
  }

  /** What the callee still needs before it can act (reported if the call ends without an action). */
  lacks(what: string): void {
    this.lacking = what;
  }

  has(action: VerdictAction["action"]): boolean {
    return this.actions.some((a) => a.action === action);
  }

  /** Runs once, when the verdict is read at the end of the call (e.g. a mailbox closing its message). */
  onFinish(finish: () => void): void {
    this.finishers.push(finish);
  }

  verdict(): SandboxVerdict {
    for (const finish of this.finishers.splice(0)) finish();
    const done = this.actions.some((a) => DOING.has(a.action));
    return {
      persona: this.persona,
      actions: this.actions.map((a) => ({ ...a })),
      nothing_done: done ? null : this.lacking,
    };
  }
}
