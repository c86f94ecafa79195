import { afterEach, describe, expect, it, vi } from "vitest";
import type { ActiveCall } from "./active-call.ts";
import { HeldCalls } from "./held-calls.ts";

const call = (id: string): ActiveCall => ({
  id,
  keyId: "k",
  wallet: "w",
  from: "+12125550111",
  request: { to: "+12125550100", task: "ask" },
  bridgeNumber: null,
  answeredAtMs: null,
  answeredBy: "unknown",
  signalListener: null,
  pendingSignals: [],
  budgetSeconds: 60,
  controller: new AbortController(),
  handoff: null,
  pendingEnd: null,
});

describe("the calls a node holds", () => {
  afterEach(() => vi.useRealTimers());

  it("lets go of everything a call held in one release, and tells the engine of every release", () => {
    vi.useFakeTimers();
    const counts: number[] = [];
    const released: string[] = [];
    const held = new HeldCalls({ onCount: (n) => counts.push(n), onRelease: (id) => released.push(id) });
    const a = call("a");
    held.add(a);
    held.add(call("b"));
    const fired: string[] = [];
    held.after(a, 1_000, () => fired.push("a"));

    held.release("a");
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([]);
    expect(a.controller.signal.aborted).toBe(true);
    expect(held.ids()).toEqual(["b"]);
    held.release("never-held");
    expect(released).toEqual(["a", "never-held"]);
    expect(counts).toEqual([1, 2, 1]);
  });

  it("runs a timer of a call still held", () => {
    vi.useFakeTimers();
    const held = new HeldCalls({ onCount: () => {}, onRelease: () => {} });
    const a = call("a");
    held.add(a);
    const fired: string[] = [];
    held.after(a, 1_000, () => fired.push("a"));
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(["a"]);
  });

  it("applies a call's tasks in arrival order, each after the previous finished, even after one fails", async () => {
    const held = new HeldCalls({ onCount: () => {}, onRelease: () => {} });
    const done: string[] = [];
    const errors: unknown[] = [];
    let openFirst: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      openFirst = resolve;
    });
    held.inOrder(
      "a",
      async () => {
        await first;
        done.push("answered");
      },
      (e) => errors.push(e),
    );
    held.inOrder(
      "a",
      async () => {
        throw new Error("storage hiccup");
      },
      (e) => errors.push(e),
    );
    held.inOrder(
      "a",
      async () => {
        done.push("media");
      },
      (e) => errors.push(e),
    );
    held.inOrder(
      "b",
      async () => {
        done.push("other call");
      },
      (e) => errors.push(e),
    );
    await held.settled("b");
    expect(done).toEqual(["other call"]);
    openFirst();
    await held.settled("a");
    expect(done).toEqual(["other call", "answered", "media"]);
    expect(errors).toHaveLength(1);
  });
});
