import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";
import { SampledLog } from "./sampled-log.ts";

describe("SampledLog", () => {
  it("writes the first line of each kind in a window and one summary of the rest", () => {
    const lines: { msg: string; suppressed?: number; reason?: string }[] = [];
    let now = 0;
    const log = new SampledLog(
      createLogger("warn", { write: (l: string) => void lines.push(JSON.parse(l)) }),
      60_000,
      () => now,
    );
    for (let i = 0; i < 1000; i++) log.warn("bad signature", { reason: "bad signature" }, "webhook refused");
    log.warn("too old", { reason: "too old" }, "webhook refused");
    expect(lines.map((l) => l.reason)).toEqual(["bad signature", "too old"]);
    now = 60_000;
    log.warn("bad signature", { reason: "bad signature" }, "webhook refused");
    expect(lines.slice(2)).toEqual([
      expect.objectContaining({ suppressed: 999 }),
      expect.objectContaining({ reason: "bad signature" }),
    ]);
  });
});
