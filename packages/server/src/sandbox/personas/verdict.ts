import type { SandboxVerdict, VerdictAction } from "@clawcall/contract";

const DOING = new Set([
  "confirmed",
  "rescheduled",
  "cancelled",
  "answered",
  "handled",
  "put_through",
  "message",
  "talked",
  "typed_code",
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
