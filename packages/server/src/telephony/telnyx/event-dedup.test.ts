import { describe, expect, it } from "vitest";
import { EventDedup } from "./event-dedup.ts";

describe("webhook event de-duplication", () => {
  it("lets an id through once within the TTL, and again after it", () => {
    let t = 0;
    const d = new EventDedup(1000, 100, () => t);
    expect(d.firstSeen("a")).toBe(true);
    expect(d.firstSeen("a")).toBe(false);
    t = 999;
    expect(d.firstSeen("a")).toBe(false);
    t = 1000;
    expect(d.firstSeen("a")).toBe(true);
  });

  it("never holds more than its bound, forgetting the oldest first", () => {
    const d = new EventDedup(60_000, 3, () => 0);
    for (const id of ["a", "b", "c", "d"]) d.firstSeen(id);
    expect(d.size).toBe(3);
    expect(d.firstSeen("d")).toBe(false);
    expect(d.firstSeen("a")).toBe(true);
  });
});
