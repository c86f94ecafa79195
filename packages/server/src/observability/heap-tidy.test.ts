import { afterEach, describe, expect, it, vi } from "vitest";
import { tidyHeapWhenIdle } from "./heap-tidy.ts";

describe("tidyHeapWhenIdle", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("compacts only once no call has been held for a while, and again after the next calls", () => {
    vi.useFakeTimers();
    let clock = 0;
    let calls = 1;
    const gc = vi.fn();
    const tidy = tidyHeapWhenIdle({
      gc,
      activeCalls: () => calls,
      idleMs: 5000,
      now: () => clock,
      youngBytes: () => 1024 * 1024,
    });
    const advance = (ms: number) => {
      for (let step = 0; step < ms; step += 500) {
        clock += 500;
        vi.advanceTimersByTime(500);
      }
    };

    // A call is up from the start: never during it.
    advance(20_000);
    expect(gc).not.toHaveBeenCalled();
    calls = 0;
    advance(4000);
    expect(gc).not.toHaveBeenCalled();
    advance(2000);
    expect(gc).toHaveBeenCalledTimes(1);
    expect(gc).toHaveBeenCalledWith();
    // Idle and nothing grown: once is enough.
    advance(60_000);
    expect(gc).toHaveBeenCalledTimes(1);

    calls = 2;
    advance(3000);
    calls = 0;
    advance(7000);
    expect(gc).toHaveBeenCalledTimes(2);
    expect(tidy.tidied).toBe(2);

    tidy.stop();
    calls = 1;
    advance(1000);
    calls = 0;
    advance(10_000);
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it("compacts again, a quiet spell later, while the young generation stays as large as calls left it", () => {
    vi.useFakeTimers();
    let clock = 0;
    let calls = 0;
    const MB = 1024 * 1024;
    let young = 32 * MB;
    // V8 gives the young generation back on the second collection of the quiet spell.
    const gc = vi.fn(() => {
      if (gc.mock.calls.length % 2 === 0) young = MB;
    });
    tidyHeapWhenIdle({
      gc,
      activeCalls: () => calls,
      idleMs: 5000,
      now: () => clock,
      youngBytes: () => young,
    });
    const advance = (ms: number) => {
      for (let step = 0; step < ms; step += 500) {
        clock += 500;
        vi.advanceTimersByTime(500);
      }
    };

    advance(6000);
    expect(gc).toHaveBeenCalledTimes(1);
    advance(3500);
    expect(gc).toHaveBeenCalledTimes(1);
    advance(1000);
    expect(gc).toHaveBeenCalledTimes(2);
    // Given back: nothing more to do.
    advance(60_000);
    expect(gc).toHaveBeenCalledTimes(2);

    // A young generation V8 keeps: two more tries in the quiet spell, then it is left be.
    gc.mockImplementation(() => {});
    calls = 1;
    young = 32 * MB;
    advance(1000);
    calls = 0;
    advance(60_000);
    expect(gc).toHaveBeenCalledTimes(5);
  });
});
