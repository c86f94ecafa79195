import { describe, expect, it } from "vitest";
import { agentTools, cleanDigits, digitsWithPauses, toolArguments } from "./tools.ts";

describe("agent tools", () => {
  it("offers connect_user only when the call has a bridge number", () => {
    expect(agentTools(false).map((t) => t.name)).toEqual(["end_call", "press_digits", "wait_on_hold"]);
    expect(agentTools(true).map((t) => t.name)).toContain("connect_user");
  });

  it("keeps only keypad characters and paces presses", () => {
    expect(cleanDigits("1, then 2#")).toBe("12#");
    expect(cleanDigits(42)).toBe("");
    expect(digitsWithPauses("1")).toBe("w1");
    expect(digitsWithPauses("123#")).toBe("w1w2w3w#");
    expect(digitsWithPauses("1ww2")).toBe("w1ww2");
  });

  it("reads arguments leniently", () => {
    expect(toolArguments({ id: "a", name: "end_call", arguments: '{"reason":"done"}' })).toEqual({
      reason: "done",
    });
    expect(toolArguments({ id: "a", name: "end_call", arguments: "{not json" })).toEqual({});
    expect(toolArguments({ id: "a", name: "end_call", arguments: "[1]" })).toEqual({});
  });
});
