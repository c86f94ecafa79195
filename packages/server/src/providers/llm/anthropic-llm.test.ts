import { describe, expect, it } from "vitest";
import { toAnthropicMessages } from "./anthropic-llm.ts";

describe("toAnthropicMessages", () => {
  it("lifts system text out and puts tool results in a user turn after the tool use", () => {
    const { system, messages } = toAnthropicMessages([
      { role: "system", content: "Rule one." },
      { role: "system", content: "Rule two." },
      { role: "user", content: "Hello?" },
      {
        role: "assistant",
        content: "One moment.",
        toolCalls: [
          { id: "toolu_1", name: "press_digits", arguments: '{"digits":"2"}' },
          { id: "toolu_2", name: "wait_on_hold", arguments: "" },
        ],
      },
      { role: "tool", toolCallId: "toolu_1", content: "pressed" },
      { role: "tool", toolCallId: "toolu_2", content: "waiting" },
      { role: "user", content: "You're through to billing." },
    ]);
    expect(system).toBe("Rule one.\n\nRule two.");
    expect(messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Hello?" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "One moment." },
          { type: "tool_use", id: "toolu_1", name: "press_digits", input: { digits: "2" } },
          { type: "tool_use", id: "toolu_2", name: "wait_on_hold", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "pressed" },
          { type: "tool_result", tool_use_id: "toolu_2", content: "waiting" },
          { type: "text", text: "You're through to billing." },
        ],
      },
    ]);
  });
});
