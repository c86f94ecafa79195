import type { TranscriptEntry } from "@clawcall/contract";
import { describe, expect, it } from "vitest";
import type { LLM, LlmChunk, LlmRequest } from "../providers/llm/llm.ts";
import { judgeCall, RESULT_TOOL } from "./call-result-judge.ts";
import { citationHolds } from "./result-citations.ts";

const at = "2026-01-01T00:00:00.000Z";
const TRANSCRIPT: TranscriptEntry[] = [
  { role: "assistant", text: "Hi, I'm calling to confirm Jordan Lee's appointment.", timestamp: at },
  { role: "user", text: "Can you tell me the patient's date of birth?", timestamp: at },
  { role: "assistant", text: "I'm sorry, I don't have the date of birth with me.", timestamp: at },
  {
    role: "user",
    text: "The appointment is on March 3 at 10:00, but I need the date of birth.",
    timestamp: at,
  },
];
const REQUEST = { to: "+12125550111", task: "Confirm Jordan Lee's appointment." };

/** A model that answers every request with one reply (a tool call's arguments, or a failure). */
function model(reply: { args?: unknown; fail?: boolean; hang?: boolean }) {
  const requests: LlmRequest[] = [];
  const llm: LLM = {
    name: "scripted",
    capabilities: { streaming: true, tools: true },
    async *stream(request): AsyncIterable<LlmChunk> {
      requests.push(request);
      if (reply.hang) {
        await new Promise((_, reject) =>
          request.signal.addEventListener("abort", () => reject(new Error("aborted"))),
        );
      }
      if (reply.fail) throw new Error("HTTP 500");
      const args = typeof reply.args === "string" ? reply.args : JSON.stringify(reply.args);
      yield { type: "tool_call", call: { id: "1", name: RESULT_TOOL, arguments: args } };
      yield { type: "done", finishReason: "tool_calls" };
    },
  };
  return { llm, requests };
}

const judged = {
  status: "needs_info",
  summary: "Needs information: they asked for the date of birth.",
  facts: [
    { text: "The appointment is on March 3 at 10:00.", turns: [3] },
    { text: "The appointment is on March 4 at 10:00.", turns: [3] },
    { text: "They asked for the date of birth.", turns: [9] },
    { text: "The clinic closes at noon on Fridays.", turns: [1] },
  ],
  missing_info: ["date of birth"],
  next_steps: ["Ask the user for the date of birth, then call back."],
};

describe("what came of a call, judged by the model", () => {
  it("asks for the result with a forced tool call over the numbered transcript", async () => {
    const { llm, requests } = model({ args: judged });
    await judgeCall(llm, REQUEST, TRANSCRIPT);
    expect(requests[0]!.toolChoice).toBe(RESULT_TOOL);
    expect(requests[0]!.tools?.map((t) => t.name)).toEqual([RESULT_TOOL]);
    const prompt = requests[0]!.messages.at(-1)!.content;
    expect(prompt).toContain("[1] them: Can you tell me the patient's date of birth?");
    expect(prompt).toContain("+12125550111");
  });

  it("keeps only facts whose cited lines say them, and names the number called", async () => {
    const { result } = await judgeCall(model({ args: judged }).llm, REQUEST, TRANSCRIPT);
    expect(result?.facts).toEqual([{ text: "The appointment is on March 3 at 10:00.", turns: [3] }]);
    expect(result?.missing_info).toEqual(["date of birth"]);
    expect(result?.summary).toBe(
      "Needs information: they asked for the date of birth (called +12125550111).",
    );
  });

  it("has no result, with the reason, when the model fails, hangs or answers out of shape", async () => {
    expect(await judgeCall(model({ fail: true }).llm, REQUEST, TRANSCRIPT)).toEqual({
      result: null,
      resultUnavailable: "the language model failed to judge the call",
    });
    expect(await judgeCall(model({ hang: true }).llm, REQUEST, TRANSCRIPT, { timeoutMs: 50 })).toEqual({
      result: null,
      resultUnavailable: "the language model took too long to judge the call",
    });
    for (const args of ["{not json", { ...judged, status: "great" }, { summary: "Done." }]) {
      expect((await judgeCall(model({ args }).llm, REQUEST, TRANSCRIPT)).resultUnavailable).toMatch(
        /expected shape/,
      );
    }
  });

  it("a call where nothing was said is not reached, with no model asked", async () => {
    const { llm, requests } = model({ args: judged });
    expect((await judgeCall(llm, REQUEST, [])).result?.status).toBe("not_reached");
    expect(requests).toEqual([]);
  });
});

describe("a fact's citations", () => {
  const fact = (text: string, turns: number[]) => ({ text, turns });
  it("hold when the cited lines carry the fact's numbers and most of its key words", () => {
    expect(citationHolds(fact("Appointment confirmed for March 3 at 10:00", [3]), TRANSCRIPT)).toBe(true);
    expect(citationHolds(fact("They need the date of birth", [1, 3]), TRANSCRIPT)).toBe(true);
  });
  it("do not hold for a line the call does not have, another number, or unrelated words", () => {
    expect(citationHolds(fact("They need the date of birth", [4]), TRANSCRIPT)).toBe(false);
    expect(citationHolds(fact("They need the date of birth", [-1]), TRANSCRIPT)).toBe(false);
    expect(citationHolds(fact("They need the date of birth", []), TRANSCRIPT)).toBe(false);
    expect(citationHolds(fact("The appointment is at 11:00", [3]), TRANSCRIPT)).toBe(false);
    expect(citationHolds(fact("Parking is free for patients", [3]), TRANSCRIPT)).toBe(false);
  });
});
