import type { TranscriptEntry } from "@clawcall/contract";
import { describe, expect, it } from "vitest";
import type { AnsweredCall } from "../calls/conversation.ts";
import type { LlmToolCall } from "../providers/llm/llm.ts";
import { asksForAgent, HANDOFF_LINES, PendingHandoff } from "./handoff.ts";
import { runTools, type ToolContext } from "./tools.ts";
import { CallHistory } from "./transcript-history.ts";

const connect: LlmToolCall = { id: "c1", name: "connect_user", arguments: "{}" };

function context(bridgeNumber?: string) {
  const transcript: Omit<TranscriptEntry, "timestamp">[] = [];
  const said: string[] = [];
  const started: LlmToolCall[] = [];
  const ctx: ToolContext = {
    call: {
      request: { to: "+12125550100", task: "x", bridge_number: bridgeNumber },
    } as unknown as AnsweredCall,
    history: new CallHistory((e) => transcript.push(e)),
    say: async (text) => {
      said.push(text);
    },
    enterHold: () => {},
    startHandoff: (call) => started.push(call),
    finish: async () => {},
    reportMalformed: () => {},
  };
  return { ctx, transcript, said, started };
}

describe("connect_user", () => {
  it("starts ringing the user and lets the agent keep the line, without waiting for the result", async () => {
    const c = context("+13125550112");
    expect(await runTools([connect], "Thanks, I'm connecting Jordan now, please hold.", c.ctx)).toBe("wait");
    expect(c.started).toEqual([connect]);
    // The model already told the other party, so nothing is added.
    expect(c.said).toEqual([]);
    expect(c.transcript).toEqual([
      { role: "tool", text: "Connecting the user", tool: "connect_user", toolArgs: {} },
    ]);
  });

  it("tells the other party to hold when the model's reply did not", async () => {
    const c = context("+13125550112");
    await runTools([connect], "", c.ctx);
    expect(c.said).toEqual([HANDOFF_LINES.announce]);
  });

  it("reports a missing bridge number to the model and starts nothing", async () => {
    const c = context();
    expect(await runTools([connect], "", c.ctx)).toBe("continue");
    expect(c.started).toEqual([]);
  });
});

describe("a pending handoff", () => {
  it("gives the model the result before what the other party said while it rang", () => {
    const history = new CallHistory(() => {});
    history.assistant("Connecting you now.", [connect]);
    const pending = new PendingHandoff(connect);
    pending.heard("Sure, I will hold.");
    pending.settle(history, { ok: false, reason: "no_answer", message: "nobody answered" });
    expect(history.messages.slice(1)).toEqual([
      {
        role: "tool",
        toolCallId: "c1",
        content: '{"ok":false,"reason":"no_answer","message":"nobody answered"}',
      },
      { role: "user", content: "Sure, I will hold." },
    ]);
  });

  it("answers a question or a hello while the phone rings, not an acknowledgement", () => {
    expect(asksForAgent("Hello? Are you still there?")).toBe(true);
    expect(asksForAgent("How long will this take?")).toBe(true);
    expect(asksForAgent("Sure, I will hold.")).toBe(false);
  });
});
