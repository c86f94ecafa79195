import type { TranscriptEntry } from "@clawcall/contract";
import { describe, expect, it } from "vitest";
import type { AnsweredCall, ConversationEnd } from "../calls/conversation.ts";
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
  const finished: { reason: string; hangUp: boolean; end?: ConversationEnd }[] = [];
  const holds: string[] = [];
  let malformed = 0;
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
    finish: async (reason, hangUp, end) => {
      finished.push({ reason, hangUp, ...(end ? { end } : {}) });
    },
    reportMalformed: () => void malformed++,
  };
  return { ctx, transcript, pressed, finished, holds, malformed: () => malformed };
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

  it("reads arguments as an object, none given as an empty one, and names what is malformed", () => {
    expect(toolArguments({ id: "a", name: "end_call", arguments: '{"reason":"done"}' })).toEqual({
      ok: true,
      value: { reason: "done" },
    });
    expect(toolArguments({ id: "a", name: "wait_on_hold", arguments: " " })).toEqual({ ok: true, value: {} });
    expect(toolArguments({ id: "a", name: "end_call", arguments: "{not json" })).toEqual({
      ok: false,
      problem: "not valid JSON",
    });
    expect(toolArguments({ id: "a", name: "end_call", arguments: "[1]" })).toEqual({
      ok: false,
      problem: "not a JSON object",
    });
  });

  it("tells the model malformed arguments are malformed, presses nothing, and counts it", async () => {
    const c = context();
    const outcome = await runTools(
      [{ id: "1", name: "press_digits", arguments: '{"digits": "1' }],
      "",
      c.ctx,
    );
    expect(outcome).toBe("continue");
    expect(c.pressed).toEqual([]);
    expect(c.malformed()).toBe(1);
    const answer = c.ctx.history.messages.at(-1)?.content ?? "";
    expect(answer).toContain("malformed arguments (not valid JSON)");
    expect(answer).not.toContain("no keypad digits");
    expect(c.transcript).toEqual([
      {
        role: "system",
        tool: "press_digits",
        text: expect.stringMatching(/^The press_digits tool call failed: malformed arguments/),
      },
    ]);
  });

  it("puts every tool call in the transcript, failures and unknown tools included", async () => {
    const c = context({ keypadFails: true });
    await runTools(
      [
        toolCall("1", "fly_away"),
        toolCall("2", "press_digits", { digits: "5" }),
        toolCall("3", "press_digits", { digits: "none" }),
        toolCall("4", "end_call", { reason: "done" }),
        toolCall("5", "wait_on_hold"),
      ],
      "",
      c.ctx,
    );
    expect(c.transcript.map((e) => [e.role, e.tool, e.text])).toEqual([
      ["system", "fly_away", "The fly_away tool call failed: there is no tool named fly_away."],
      ["tool", "press_digits", "Pressed keypad digits 5"],
      ["system", "press_digits", "The press_digits tool call failed: keypad line down."],
      ["system", "press_digits", "The press_digits tool call failed: no keypad digits given."],
      ["tool", "end_call", "Ended the call: done"],
      ["system", "wait_on_hold", "The wait_on_hold tool call failed: the call had ended."],
    ]);
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
    expect(c.finished).toEqual([
      { reason: "agent ended the call: done", hangUp: true, end: { cause: "agent_ended", message: "done." } },
    ]);
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
