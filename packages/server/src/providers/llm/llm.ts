/** Language-model seam: streamed chat completions with tool calls. */
export interface LlmCapabilities {
  streaming: boolean;
  tools: boolean;
}

export interface LlmToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments. */
  arguments: string;
}

export type LlmMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: LlmToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

export interface LlmTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export type LlmChunk =
  | { type: "text"; text: string }
  | { type: "tool_call"; call: LlmToolCall }
  | { type: "done"; finishReason: "stop" | "tool_calls" | "length" | "other" };

export interface LlmRequest {
  messages: readonly LlmMessage[];
  tools?: readonly LlmTool[];
  /** The name of one of `tools` the model must call (structured output); otherwise it chooses. */
  toolChoice?: string;
  temperature?: number;
  maxTokens?: number;
  signal: AbortSignal;
}

export interface LLM {
  readonly name: string;
  readonly capabilities: LlmCapabilities;
  stream(request: LlmRequest): AsyncIterable<LlmChunk>;
  /** Opens connections ahead of the first request (called while the phone rings). */
  warmup?(): Promise<void>;
}
