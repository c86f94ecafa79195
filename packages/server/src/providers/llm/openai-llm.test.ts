import { afterEach, describe, expect, it } from "vitest";
import { type FakeOpenAi, startFakeOpenAi } from "../../../test/fakes/fake-openai.ts";
import { OpenAiLlm } from "./openai-llm.ts";

describe("OpenAiLlm on the wire", () => {
  let fake: FakeOpenAi;
  afterEach(async () => {
    await fake?.close();
  });

  it("sends the key, the model and the history with tool calls in OpenAI's shape", async () => {
    fake = await startFakeOpenAi();
    const llm = new OpenAiLlm({ apiKey: "sk-test", baseUrl: fake.url, model: "gpt-test", maxRetries: 0 });
    for await (const _ of llm.stream({
      signal: new AbortController().signal,
      temperature: 0.3,
      maxTokens: 200,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Press one for sales." },
        {
          role: "assistant",
          content: "",
          toolCalls: [{ id: "call_9", name: "press_digits", arguments: '{"digits":"1"}' }],
        },
        { role: "tool", toolCallId: "call_9", content: "pressed" },
      ],
    })) {
      // drain
    }
    expect(fake.authorizations).toContain("Bearer sk-test");
    const raw = fake.chat.requests[0]?.raw as Record<string, unknown>;
    expect(raw.model).toBe("gpt-test");
    expect(raw.stream).toBe(true);
    expect(raw.temperature).toBe(0.3);
    expect(raw.max_tokens).toBe(200);
    expect(raw.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Press one for sales." },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_9", type: "function", function: { name: "press_digits", arguments: '{"digits":"1"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_9", content: "pressed" },
    ]);
  });

  it("works against a keyless local server", async () => {
    fake = await startFakeOpenAi();
    fake.chat.reply({ text: "Local model here." });
    const llm = new OpenAiLlm({ baseUrl: fake.url, model: "llama", maxRetries: 0 });
    let text = "";
    for await (const chunk of llm.stream({ signal: new AbortController().signal, messages: [] })) {
      if (chunk.type === "text") text += chunk.text;
    }
    expect(text).toBe("Local model here.");
  });

  it("names the endpoint by host only", () => {
    const llm = new OpenAiLlm({
      apiKey: "sk-secret",
      baseUrl: "https://user:pw@api.groq.com/openai/v1",
      model: "m",
    });
    expect(llm.name).toBe("openai-compatible:m@api.groq.com");
  });

  it("keeps its connection between replies: warmup opens it, replies reuse it, one closed meanwhile is replaced", async () => {
    fake = await startFakeOpenAi();
    fake.chat.setDefault(() => ({ text: "Yes." }));
    const llm = new OpenAiLlm({ baseUrl: fake.url, model: "gpt-test" });
    const reply = async () => {
      let text = "";
      for await (const chunk of llm.stream({
        signal: new AbortController().signal,
        messages: [{ role: "user", content: "Open?" }],
      }))
        if (chunk.type === "text") text += chunk.text;
      return text;
    };
    await llm.warmup();
    await llm.warmup();
    expect(await reply()).toBe("Yes.");
    expect(await reply()).toBe("Yes.");
    expect(fake.connections()).toBe(1);
    // The server ends the kept connection (its keep-alive ran out) just before the next reply.
    fake.dropIdleConnections();
    expect(await reply()).toBe("Yes.");
    expect(fake.connections()).toBe(2);
  });
});
