import type { ActiveCall } from "./active-call.ts";

/**
 * The calls this node holds in memory, from dial to final state. Whatever a call holds here (its
 * budget timer, its running conversation, what the engine prepared while it rang) is let go in one
 * place: `release`, which settlement calls for every call it ends. Carrier events of a call are applied
 * here in arrival order too, also after its release (a recording comes after the hang-up).
 */
export class HeldCalls {
  private readonly calls = new Map<string, ActiveCall>();
  /** The last event task of each call with one still running; an entry removes itself when done. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Resolves each held call's `released` promise. */
  private readonly onReleased = new Map<string, () => void>();
  private readonly releases = new Map<string, Promise<void>>();

  constructor(
    private readonly hooks: {
      /** Told the number of calls held after each change (the active-calls gauge). */
      onCount(count: number): void;
      /** Told of every call released, held here or not (the engine drops what it prepared). */
      onRelease(callId: string): void;
    },
  ) {}

  add(call: ActiveCall): void {
    this.calls.set(call.id, call);
    this.releases.set(call.id, new Promise((resolve) => this.onReleased.set(call.id, resolve)));
    this.hooks.onCount(this.calls.size);
  }

  get(callId: string): ActiveCall | undefined {
    return this.calls.get(callId);
  }

  has(callId: string): boolean {
    return this.calls.has(callId);
  }

  get size(): number {
    return this.calls.size;
  }

  ids(): string[] {
    return [...this.calls.keys()];
  }

  values(): IterableIterator<ActiveCall> {
    return this.calls.values();
  }

  /** Runs `fn` after `ms` unless the call is released first. */
  after(call: ActiveCall, ms: number, fn: () => void): void {
    const timer = setTimeout(fn, ms);
    timer.unref();
    call.controller.signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  }

  /** Runs `task` after the call's earlier tasks have finished; a failure goes to `onError`, not the next. */
  inOrder(callId: string, task: () => Promise<void>, onError: (err: unknown) => void): void {
    const previous = this.chains.get(callId) ?? Promise.resolve();
    const next = previous
      .then(task)
      .catch(onError)
      .finally(() => {
        if (this.chains.get(callId) === next) this.chains.delete(callId);
      });
    this.chains.set(callId, next);
  }

  /** Resolves once the call's tasks queued so far have finished. */
  async settled(callId: string): Promise<void> {
    await this.chains.get(callId);
  }

  /** Resolves once the call is released (at once when it is not held). */
  released(callId: string): Promise<void> {
    return this.releases.get(callId) ?? Promise.resolve();
  }

  /** Lets go of everything the call held on this node: its conversation ends, its timers stop. */
  release(callId: string): void {
    const call = this.calls.get(callId);
    if (call) {
      this.calls.delete(callId);
      call.controller.abort();
      this.onReleased.get(callId)?.();
      this.onReleased.delete(callId);
      this.releases.delete(callId);
      this.hooks.onCount(this.calls.size);
    }
    this.hooks.onRelease(callId);
  }
}
