import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { allowNurseryCollection, collectNurseryWhileIdle, newSpace } from "./nursery.ts";

describe("collectNurseryWhileIdle", () => {
  afterEach(() => allowNurseryCollection(undefined));

  it("does nothing where the collector is not exposed (an application embedding the service)", () => {
    expect(collectNurseryWhileIdle(() => ({ used: 9, capacity: 10 }))).toBe(false);
  });

  it("asks for a minor collection only once the young generation is half full", () => {
    const gc = vi.fn();
    allowNurseryCollection(gc);
    expect(collectNurseryWhileIdle(() => ({ used: 4, capacity: 10 }))).toBe(false);
    expect(gc).not.toHaveBeenCalled();
    expect(collectNurseryWhileIdle(() => ({ used: 5, capacity: 10 }))).toBe(true);
    expect(gc).toHaveBeenCalledWith({ type: "minor" });
  });

  it("empties V8's young generation when it is", () => {
    setFlagsFromString("--expose-gc");
    allowNurseryCollection(runInNewContext("gc"));
    // Short-lived objects, none kept, until the young generation is past half full.
    let garbage: unknown;
    let before = 0;
    for (;;) {
      for (let i = 0; i < 1000; i++) garbage = { i };
      before = newSpace().used;
      if (collectNurseryWhileIdle()) break;
    }
    expect(garbage).toEqual({ i: 999 });
    expect(newSpace().used).toBeLessThan(before / 2);
  });
});
