import type { TranscriptEntry } from "@clawcall/contract";
import type { LlmMessage, LlmToolCall } from "../providers/llm/llm.ts";

type Append = (entry: Omit<TranscriptEntry, "timestamp">) => void;

/**
 * Keeps the two records of a call in step: the live transcript shown to the client and the message
 * history the model sees. Only what was actually played is recorded as the agent's words.
 */
export class CallHistory {
  readonly messages: LlmMessage[] = [];

  constructor(private readonly append: Append) {}

  user(text: string, { toModel = true }: { toModel?: boolean } = {}): void {
    this.append({ role: "user", text });
    if (toModel) this.userToModel(text);
  }

  /** A message for the model only (e.g. a placeholder when the callee said nothing yet). */
  userToModel(text: string): void {
    const last = this.messages.at(-1);
    // Consecutive callee turns (an interrupted reply in between) read as one message.
    if (last?.role === "user") last.content = `${last.content} ${text}`;
    else this.messages.push({ role: "user", content: text });
  }

  /** The messages as they would be after `userToModel(text)`, leaving the history as it is. */
  messagesWithUser(text: string): LlmMessage[] {
    const last = this.messages.at(-1);
    if (last?.role === "user")
      return [...this.messages.slice(0, -1), { role: "user", content: `${last.content} ${text}` }];
    return [...this.messages, { role: "user", content: text }];
  }

  assistant(spoken: string, toolCalls: LlmToolCall[] = []): void {
    const text = spoken.trim();
    if (text.length > 0) this.append({ role: "assistant", text });
    if (text.length === 0 && toolCalls.length === 0) return;
    this.messages.push(
      toolCalls.length > 0
        ? { role: "assistant", content: text, toolCalls }
        : { role: "assistant", content: text },
    );
  }

  tool(name: string, text: string, args: Record<string, unknown>): void {
    this.append({ role: "tool", text, tool: name, toolArgs: args });
  }

  toolResult(call: LlmToolCall, result: unknown): void {
    this.messages.push({ role: "tool", toolCallId: call.id, content: JSON.stringify(result) });
  }

  /** A tool call that did nothing: the model is told why, and the transcript shows it too. */
  toolFailed(call: LlmToolCall, problem: string): void {
    this.toolResult(call, { ok: false, error: problem });
    this.append({ role: "system", tool: call.name, text: `The ${call.name} tool call failed: ${problem}.` });
  }

  system(text: string): void {
    this.append({ role: "system", text });
  }

  /** Guidance for the model only, inserted where it applies. */
  instruct(content: string): void {
    this.messages.push({ role: "system", content });
  }
}
