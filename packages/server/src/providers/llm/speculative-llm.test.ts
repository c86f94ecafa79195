import { describe, expect, it, vi } from "vitest";
import { startFakeOpenAi } from "../../../test/fakes/fake-openai.ts";
import type { LLM, LlmChunk, LlmMessage, LlmRequest, LlmTool } from "./llm.ts";
import { OpenAiLlm } from "./openai-llm.ts";
import { SpeculativeLlm } from "./speculative-llm.ts";

/** A model that answers each request with its words one by one, and records how each request ended. */
class WordsLlm implements LLM {
  readonly name = "words";
  readonly capabilities = { streaming: true, tools: true };
  readonly requests: { messages: readonly LlmMessage[]; aborted: boolean; finished: boolean }[] = [];
  warmups = 0;

  constructor(private readonly reply: (messages: readonly LlmMessage[]) => string) {}

  async warmup(): Promise<void> {
    this.warmups++;
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmChunk> {
    const record = { messages: request.messages, aborted: false, finished: false };
    this.requests.push(record);
    request.signal.addEventListener("abort", () => {
      record.aborted = true;
    });
    for (const word of this.reply(request.messages).split(" ")) {
      await new Promise((r) => setTimeout(r, 5));
      if (request.signal.aborted) throw request.signal.reason;
      yield { type: "text", text: `${word} ` };
    }
    record.finished = true;
    yield { type: "done", finishReason: "stop" };
  }
}

const tools: LlmTool[] = [{ name: "end_call", description: "Ends the call.", parameters: {} }];
const system: LlmMessage = { role: "system", content: "Book a table." };
const asked = (text: string) => ({
  messages: [system, { role: "user" as const, content: text }],
  tools,
  temperature: 0.4,
  maxTokens: 300,
});

async function text(stream: AsyncIterable<LlmChunk>): Promise<string> {
  let out = "";
  for await (const chunk of stream) if (chunk.type === "text") out += chunk.text;
  return out.trim();
}

describe("SpeculativeLlm", () => {
  it("answers the same request from the speculation already under way", async () => {
    const inner = new WordsLlm((m) => `You said ${(m.at(-1) as { content: string }).content}`);
    const llm = new SpeculativeLlm(inner);
    llm.speculate(asked("a table at seven"));
    await new Promise((r) => setTimeout(r, 12));
    // The final differs from the interim in case and punctuation only.
    const reply = await text(
      llm.stream({ ...asked("A table at seven?"), signal: new AbortController().signal }),
    );
    expect(reply).toBe("You said a table at seven");
    expect(inner.requests).toHaveLength(1);
    expect({ started: llm.started, used: llm.used }).toEqual({ started: 1, used: 1 });
  });

  it("drops the speculation for a different request and asks anew", async () => {
    const inner = new WordsLlm((m) => `You said ${(m.at(-1) as { content: string }).content}`);
    const llm = new SpeculativeLlm(inner);
    llm.speculate(asked("a table at six"));
    const reply = await text(
      llm.stream({ ...asked("a table at seven"), signal: new AbortController().signal }),
    );
    expect(reply).toBe("You said a table at seven");
    expect(inner.requests.map((r) => r.aborted)).toEqual([true, false]);
    expect(llm.used).toBe(0);
  });

  it("stops the model when the reply taken from a speculation is cut short, or when cancelled", async () => {
    const inner = new WordsLlm(() => "one two three four five six seven eight");
    const llm = new SpeculativeLlm(inner);
    llm.speculate(asked("hello"));
    const owner = new AbortController();
    const words: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of llm.stream({ ...asked("hello"), signal: owner.signal })) {
          if (chunk.type === "text") words.push(chunk.text);
          if (words.length === 2) owner.abort(new Error("barge-in"));
        }
      })(),
    ).rejects.toThrow("barge-in");
    expect(inner.requests[0]).toMatchObject({ aborted: true, finished: false });

    llm.speculate(asked("hello again"));
    llm.cancel();
    expect(inner.requests[1]!.aborted).toBe(true);
    // Nothing left to take up: the next request goes to the model.
    await text(llm.stream({ ...asked("hello again"), signal: new AbortController().signal }));
    expect(inner.requests).toHaveLength(3);
  });

  it("takes up a withdrawn speculation when the same words come back, asking the model once", async () => {
    const inner = new WordsLlm(() => "one two three");
    const llm = new SpeculativeLlm(inner);
    llm.speculate(asked("and at what time"));
    // A breath the VAD took for speech: the callee "spoke on" and said nothing new.
    llm.drop();
    llm.drop();
    expect(inner.requests[0]!.aborted).toBe(false);
    // Still streaming, it may yet be called off with its connection: a spare one is opened, once.
    expect(inner.warmups).toBe(1);
    llm.speculate(asked("And at what time?"));
    const reply = await text(
      llm.stream({ ...asked("and at what time"), signal: new AbortController().signal }),
    );
    expect(reply).toBe("one two three");
    expect(inner.requests).toHaveLength(1);
    expect({ started: llm.started, used: llm.used }).toEqual({ started: 1, used: 1 });
  });

  it("drops a withdrawn speculation for new words, or soon when nothing claims it", async () => {
    const inner = new WordsLlm(() => "one two three four five six seven eight nine ten");
    const llm = new SpeculativeLlm(inner, 5000, 20);
    llm.speculate(asked("a table at"));
    llm.drop();
    llm.speculate(asked("a table at seven"));
    expect(inner.requests[0]!.aborted).toBe(true);
    llm.drop();
    await new Promise((r) => setTimeout(r, 40));
    expect(inner.requests[1]!.aborted).toBe(true);
    // One whose stream had ended left its connection kept: nothing to open when it is withdrawn.
    llm.speculate(asked("hello"));
    await vi.waitFor(() => expect(inner.requests[2]!.finished).toBe(true));
    const warmups = inner.warmups;
    llm.drop();
    expect(inner.warmups).toBe(warmups);
  });

  it("has a kept connection ready for the turn after a withdrawn speculation on the wire", async () => {
    const fake = await startFakeOpenAi({ firstTokenMs: 100 });
    try {
      fake.chat.setDefault(() => ({ text: "Seven works." }));
      const llm = new SpeculativeLlm(new OpenAiLlm({ baseUrl: fake.url, model: "gpt-test" }));
      await llm.warmup();
      llm.speculate(asked("a table at"));
      await vi.waitFor(() => expect(fake.chat.requests).toHaveLength(1));
      // The callee spoke on: a new connection is opened, for the speculation may yet go down with its own.
      llm.drop();
      await vi.waitFor(() => expect(fake.connections()).toBe(2));
      // Joins the warmup under way (one at a time) rather than starting another.
      await llm.warmup();
      expect(
        await text(llm.stream({ ...asked("a table at seven"), signal: new AbortController().signal })),
      ).toBe("Seven works.");
      expect(fake.connections()).toBe(2);
    } finally {
      await fake.close();
    }
  });

  it("does not hand out a speculation that failed, and drops one never claimed", async () => {
    let fail = true;
    const failing: LLM = {
      name: "flaky",
      capabilities: { streaming: true, tools: true },
      async *stream() {
        if (fail) {
          fail = false;
          throw new Error("HTTP 500");
        }
        yield { type: "text", text: "fine" };
      },
    };
    const llm = new SpeculativeLlm(failing, 20);
    llm.speculate(asked("hello"));
    await new Promise((r) => setTimeout(r, 5));
    expect(await text(llm.stream({ ...asked("hello"), signal: new AbortController().signal }))).toBe("fine");
    expect(llm.used).toBe(0);

    const inner = new WordsLlm(() => "late");
    const expiring = new SpeculativeLlm(inner, 20);
    expiring.speculate(asked("hello"));
    await new Promise((r) => setTimeout(r, 40));
    expect(inner.requests[0]!.aborted).toBe(true);
  });
});
