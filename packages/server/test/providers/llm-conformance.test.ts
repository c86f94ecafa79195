import { afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../src/providers/abort.ts";
import type { LlmMessage } from "../../src/providers/llm/llm.ts";
import { collect, LLM_HARNESSES, type LlmRig } from "./llm-harness.ts";

const hello: LlmMessage[] = [
  { role: "system", content: "You are calling a dentist." },
  { role: "user", content: "Hello, Smile Dental." },
];

const endCall = {
  name: "end_call",
  description: "Ends the call",
  parameters: { type: "object", properties: { reason: { type: "string" } }, required: ["reason"] },
};

describe.each(LLM_HARNESSES)("LLM conformance: $name", (harness) => {
  let rig: LlmRig;
  afterEach(async () => {
    await rig?.close();
  });

  it("streams the reply's text in several pieces, in order, then finishes", async () => {
    rig = await harness.start();
    rig.chat.reply({ text: "Hi, I would like to book a cleaning for next week." });
    const out = await collect(rig.llm, { messages: hello });
    expect(out.error).toBeUndefined();
    expect(out.text).toBe("Hi, I would like to book a cleaning for next week.");
    expect(out.chunks.filter((c) => c.type === "text").length).toBeGreaterThan(3);
    expect(out.chunks.at(-1)).toEqual({ type: "done", finishReason: "stop" });
  });

  it("sends the system prompt, the turns and the tools to the model", async () => {
    rig = await harness.start();
    await collect(rig.llm, { messages: hello, tools: [endCall] });
    const seen = rig.chat.requests[0];
    expect(seen?.system).toContain("dentist");
    expect(seen?.lastUserText).toBe("Hello, Smile Dental.");
    expect(seen?.toolNames).toEqual(["end_call"]);
  });

  it("assembles a tool call streamed in pieces into one call with complete arguments", async () => {
    rig = await harness.start();
    rig.chat.reply({
      text: "Goodbye.",
      toolCalls: [{ name: "end_call", arguments: { reason: "task completed, appointment booked" } }],
    });
    const out = await collect(rig.llm, { messages: hello, tools: [endCall] });
    expect(out.error).toBeUndefined();
    expect(out.text).toBe("Goodbye.");
    const calls = out.chunks.flatMap((c) => (c.type === "tool_call" ? [c.call] : []));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.name).toBe("end_call");
    expect(calls[0]?.id).not.toBe("");
    expect(JSON.parse(calls[0]?.arguments ?? "")).toEqual({ reason: "task completed, appointment booked" });
    expect(out.chunks.at(-1)).toEqual({ type: "done", finishReason: "tool_calls" });
  });

  it("keeps two tool calls apart", async () => {
    rig = await harness.start();
    rig.chat.reply({
      toolCalls: [
        { name: "press_digits", arguments: { digits: "1" } },
        { name: "end_call", arguments: { reason: "done" } },
      ],
    });
    const out = await collect(rig.llm, { messages: hello });
    const calls = out.chunks.flatMap((c) => (c.type === "tool_call" ? [c.call] : []));
    expect(calls.map((c) => c.name)).toEqual(["press_digits", "end_call"]);
    expect(calls.map((c) => JSON.parse(c.arguments))).toEqual([{ digits: "1" }, { reason: "done" }]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it("reports a length cut as such", async () => {
    rig = await harness.start();
    rig.chat.reply({ text: "I was saying", finishReason: "length" });
    const out = await collect(rig.llm, { messages: hello, maxTokens: 3 });
    expect(out.chunks.at(-1)).toEqual({ type: "done", finishReason: "length" });
  });

  it("fails with the status when the server answers 500, before any output", async () => {
    rig = await harness.start();
    rig.chat.reply({ status: 500, message: "boom" });
    const out = await collect(rig.llm, { messages: hello });
    expect(out.chunks).toEqual([]);
    expect(out.error).toBeInstanceOf(ProviderError);
    expect((out.error as ProviderError).status).toBe(500);
  });

  it("retries a 429 before the reply starts when retries are allowed", async () => {
    rig = await harness.start({ maxRetries: 1 });
    rig.chat.reply({ status: 429, retryAfterSeconds: 0 }, { text: "Second time lucky." });
    const out = await collect(rig.llm, { messages: hello });
    expect(out.error).toBeUndefined();
    expect(out.text).toBe("Second time lucky.");
    expect(rig.chat.requests).toHaveLength(2);
  });

  it("fails after the partial text when the reply is cut off, and does not replay it", async () => {
    rig = await harness.start({ maxRetries: 2 });
    rig.chat.reply({
      text: "One two three four five six seven eight",
      cutAfterTokens: 3,
      tokensPerSecond: 50,
    });
    const out = await collect(rig.llm, { messages: hello });
    expect(out.text).toBe("One two three");
    expect(out.error).toBeInstanceOf(ProviderError);
    expect(out.chunks.some((c) => c.type === "done")).toBe(false);
    expect(rig.chat.requests).toHaveLength(1);
  });

  it("stops waiting when aborted before the first token", async () => {
    rig = await harness.start();
    rig.chat.reply({ hang: true });
    const controller = new AbortController();
    const pending = collect(rig.llm, { messages: hello, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const out = await pending;
    expect(out.chunks).toEqual([]);
    expect((out.error as Error).name).toBe("AbortError");
  });

  it("stops a slow reply mid-way when aborted", async () => {
    rig = await harness.start();
    rig.chat.reply({ text: "a b c d e f g h i j k l m n o p", tokensPerSecond: 20 });
    const controller = new AbortController();
    const chunks: string[] = [];
    let error: unknown;
    try {
      for await (const chunk of rig.llm.stream({ messages: hello, signal: controller.signal })) {
        if (chunk.type === "text") chunks.push(chunk.text);
        if (chunks.length === 2) controller.abort();
      }
    } catch (e) {
      error = e;
    }
    expect((error as Error).name).toBe("AbortError");
    expect(chunks.length).toBeLessThan(16);
  });

  it("reuses the connection opened by warmup for the first reply", async () => {
    rig = await harness.start();
    await rig.llm.warmup?.();
    expect(rig.connections()).toBe(1);
    const out = await collect(rig.llm, { messages: hello });
    expect(out.error).toBeUndefined();
    expect(rig.connections()).toBe(1);
  });
});
