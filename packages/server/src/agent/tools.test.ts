import type { TranscriptEntry } from "@clawcall/contract";
import { describe, expect, it } from "vitest";
import type { AnsweredCall } from "../calls/conversation.ts";
import {
  agentTools,
  cleanDigits,
  digitsWithPauses,
  runTools,
  type ToolContext,
  toolArguments,
} from "./tools.ts";
import { CallHistory } from "./transcript-history.ts";

/** A call whose keypad fails when asked to, and a context that records what the tools did to it. */
function context(options: { keypadFails?: boolean } = {}) {
  const transcript: Omit<TranscriptEntry, "timestamp">[] = [];
  const pressed: string[] = [];
  const finished: { reason: string; hangUp: boolean }[] = [];
  const holds: string[] = [];
  const call = {
    request: { to: "+15005550006", task: "ask" },
    async sendDigits(digits: string) {
      if (options.keypadFails) throw new Error("keypad line down");
      pressed.push(digits);
    },
  } as unknown as AnsweredCall;
  const ctx: ToolContext = {
    call,
    history: new CallHistory((e) => transcript.push(e)),
    say: async () => {},
    enterHold: (why) => holds.push(why),
    startHandoff: () => {},
    finish: async (reason, hangUp) => {
      finished.push({ reason, hangUp });
    },
  };
  return { ctx, transcript, pressed, finished, holds };
}

const toolCall = (id: string, name: string, args: object = {}) => ({
  id,
  name,
  arguments: JSON.stringify(args),
});

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

  it("runs each call through its tool and answers every call the model made", async () => {
    const c = context();
    const outcome = await runTools(
      [
        toolCall("1", "press_digits", { digits: "12" }),
        toolCall("2", "end_call", { reason: "done." }),
        toolCall("3", "wait_on_hold"),
      ],
      "",
      c.ctx,
    );
    expect(outcome).toBe("end");
    expect(c.pressed).toEqual(["w1w2"]);
    expect(c.finished).toEqual([{ reason: "agent ended the call: done", hangUp: true }]);
    expect(c.holds).toEqual([]);
    const answered = c.ctx.history.messages.flatMap((m) => (m.role === "tool" ? [m.toolCallId] : []));
    expect(answered).toEqual(["1", "2", "3"]);
  });

  it("asks the model again after an unknown tool, a failed keypad or connect_user without a bridge number", async () => {
    for (const [calls, keypadFails] of [
      [[toolCall("1", "fly_away")], false],
      [[toolCall("1", "press_digits", { digits: "5" })], true],
      [[toolCall("1", "press_digits", { digits: "none" })], false],
      [[toolCall("1", "connect_user")], false],
    ] as const) {
      const c = context({ keypadFails });
      expect(await runTools(calls, "", c.ctx)).toBe("continue");
      expect(c.ctx.history.messages.at(-1)?.content).toContain('"ok":false');
    }
    const held = context();
    expect(await runTools([toolCall("1", "wait_on_hold")], "", held.ctx)).toBe("wait");
    expect(held.holds).toHaveLength(1);
  });
});
