/**
 * What a fake language model answers, independent of the vendor's wire format: the OpenAI-compatible and
 * the Anthropic fakes render the same script, so one scenario runs against either.
 */
export interface FakeToolCall {
  id?: string;
  name: string;
  /** JSON text, or an object that is serialised. */
  arguments: string | Record<string, unknown>;
}

export interface FakeLlmReply {
  text?: string;
  toolCalls?: FakeToolCall[];
  /** Defaults to "tool_calls" when there are tool calls, else "stop". */
  finishReason?: "stop" | "tool_calls" | "length";
  /** Delay before the first token (after response headers). Falls back to the fake's default. */
  firstTokenMs?: number;
  /** Pace of the following tokens. Falls back to the fake's default; 0 or absent means no delay. */
  tokensPerSecond?: number;
  /** Sends this many tokens, then destroys the socket with no end-of-stream marker. */
  cutAfterTokens?: number;
  /** Delay before the response headers are sent. */
  headersDelayMs?: number;
  /** Punctuation as its own token (" choice", ","), as OpenAI's tokenizers split it; else words carry it. */
  splitPunctuation?: boolean;
  /** Called as each token is written (0 is the first), so a benchmark can time them. OpenAI fake only. */
  onToken?(index: number, text: string): void;
}

export interface FakeLlmFailure {
  status: number;
  message?: string;
  retryAfterSeconds?: number;
}

/** Accepts the request and never answers: for timeouts and aborts. */
export interface FakeLlmHang {
  hang: true;
}

export type FakeLlmOutcome = FakeLlmReply | FakeLlmFailure | FakeLlmHang;

/** A vendor-neutral look at a request, for scripts that answer depending on the conversation. */
export interface FakeLlmRequestView {
  model: string;
  system: string;
  /** Plain text of user, assistant and tool turns in order (tool turns as their result text). */
  turns: { role: "user" | "assistant" | "tool"; text: string }[];
  lastUserText: string;
  toolNames: string[];
  /** The request body exactly as received. */
  raw: Record<string, unknown>;
  /**
   * When the request reached the fake (performance.now()), before the fake read and parsed its body:
   * benchmarks time the client's side to here.
   */
  receivedAt: number;
}

export type FakeLlmScript = FakeLlmOutcome | ((request: FakeLlmRequestView) => FakeLlmOutcome);

export interface FakeLlmPacing {
  firstTokenMs?: number;
  tokensPerSecond?: number;
}

export interface FakeLlmControl {
  /** Queues outcomes for the next requests, in order. */
  reply(...scripts: FakeLlmScript[]): void;
  /** The outcome once the queue is empty (defaults to a short text reply). */
  setDefault(script: FakeLlmScript): void;
  /** Default pacing for replies that do not set their own. */
  setPacing(pacing: FakeLlmPacing): void;
  /** Every request received, newest last. */
  readonly requests: FakeLlmRequestView[];
  /** Requests still waiting in the queue. */
  pending(): number;
}

export type TokenPiece =
  | { kind: "text"; text: string }
  | { kind: "tool_start"; index: number; id: string; name: string }
  | { kind: "tool_args"; index: number; text: string };

export class LlmScriptQueue implements FakeLlmControl {
  readonly requests: FakeLlmRequestView[] = [];
  private queue: FakeLlmScript[] = [];
  private fallback: FakeLlmScript = { text: "Okay." };
  private pacing: FakeLlmPacing = {};

  constructor(pacing?: FakeLlmPacing) {
    if (pacing) this.pacing = { ...pacing };
  }

  reply(...scripts: FakeLlmScript[]): void {
    this.queue.push(...scripts);
  }
  setDefault(script: FakeLlmScript): void {
    this.fallback = script;
  }
  setPacing(pacing: FakeLlmPacing): void {
    this.pacing = { ...pacing };
  }
  pending(): number {
    return this.queue.length;
  }

  /** Records the request and decides the outcome, with default pacing filled in. */
  next(view: FakeLlmRequestView): FakeLlmOutcome {
    this.requests.push(view);
    const script = this.queue.shift() ?? this.fallback;
    const outcome = typeof script === "function" ? script(view) : script;
    if ("status" in outcome || "hang" in outcome) return outcome;
    return {
      ...outcome,
      firstTokenMs: outcome.firstTokenMs ?? this.pacing.firstTokenMs,
      tokensPerSecond: outcome.tokensPerSecond ?? this.pacing.tokensPerSecond,
    };
  }
}

/** Words with their leading space, as models stream them; tool arguments in small slices. */
export function planTokens(reply: FakeLlmReply): TokenPiece[] {
  const pieces: TokenPiece[] = [];
  const words = reply.splitPunctuation
    ? /\s*[\p{L}\p{N}']+\s*$|\s*[\p{L}\p{N}']+|\s*[^\s\p{L}\p{N}']\s*$|\s*[^\s\p{L}\p{N}']/gu
    : /\s*\S+\s*$|\s*\S+/g;
  for (const word of reply.text?.match(words) ?? []) pieces.push({ kind: "text", text: word });
  (reply.toolCalls ?? []).forEach((call, index) => {
    const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
    pieces.push({ kind: "tool_start", index, id: call.id ?? `call_${index + 1}`, name: call.name });
    for (let i = 0; i < args.length; i += 8)
      pieces.push({ kind: "tool_args", index, text: args.slice(i, i + 8) });
  });
  return pieces;
}

export function finishReasonOf(reply: FakeLlmReply): "stop" | "tool_calls" | "length" {
  return reply.finishReason ?? (reply.toolCalls?.length ? "tool_calls" : "stop");
}

export function tokenGapMs(reply: FakeLlmReply): number {
  return reply.tokensPerSecond && reply.tokensPerSecond > 0 ? 1000 / reply.tokensPerSecond : 0;
}
