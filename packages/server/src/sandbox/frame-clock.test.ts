import { describe, expect, it } from "vitest";
import { everyFrame } from "./frame-clock.ts";

const until = async (ok: () => boolean) => {
  while (!ok()) await new Promise((r) => setTimeout(r, 1));
};

describe("everyFrame", () => {
  it("steps every line of a period on each tick, and a stopped line no more", async () => {
    const counts = { a: 0, b: 0, c: 0 };
    const stopA = everyFrame(2, () => counts.a++);
    const stopB = everyFrame(2, () => counts.b++);
    await until(() => counts.a >= 3);
    stopB();
    // Lines that started together were stepped together.
    expect(counts.b).toBe(counts.a);
    const aWhenCStarted = counts.a;
    const bAtStop = counts.b;
    const stopC = everyFrame(2, () => counts.c++);
    await until(() => counts.c >= 3);
    stopA();
    stopC();
    expect(counts.b).toBe(bAtStop);
    // From its start, the later line was stepped on the same ticks as the first.
    expect(counts.a - aWhenCStarted).toBe(counts.c);
  });
});
