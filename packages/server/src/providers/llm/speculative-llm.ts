import { abortError } from "../abort.ts";
import type { LLM, LlmCapabilities, LlmChunk, LlmMessage, LlmRequest } from "./llm.ts";

/** A request as it would be made, without the signal of the reply that will own it. */
export type SpeculativeRequest = Omit<LlmRequest, "signal">;

interface Speculation {
  request: SpeculativeRequest;
  controller: AbortController;
  chunks: LlmChunk[];
  done: boolean;
  error: unknown;
  /** Woken whenever a chunk, the end or an error arrives. */
  wake: (() => void) | null;
  /** When it is dropped unclaimed. */
  timer: NodeJS.Timeout | undefined;
  /** The callee spoke on after it started (see `drop`). */
  withdrawn: boolean;
}

/**
 * Preemptive generation: a model request started before the turn it answers is certain (on the words
 * heard when the callee went quiet, before the recogniser's final). Its output is kept, unspoken; if the
 * request then made is the same, it is answered from the kept stream, already under way, and the model's
 * wait is shortened by the time between the two. Any other request abandons it. One speculation at a time.
 */
export class SpeculativeLlm implements LLM {
  readonly name: string;
  readonly capabilities: LlmCapabilities;
  private pending: Speculation | null = null;
  /** Speculations started, and those a request took up. */
  started = 0;
  used = 0;

  constructor(
    private readonly inner: LLM,
    /** An unclaimed speculation is dropped after this long (the turn never came). */
    private readonly ttlMs = 5000,
    /** A withdrawn one (see `drop`), after this long. */
    private readonly withdrawnMs = 1000,
  ) {
    this.name = inner.name;
    this.capabilities = inner.capabilities;
  }

  warmup(): Promise<void> {
    return this.inner.warmup?.() ?? Promise.resolve();
  }

  /**
   * Starts `request` now, replacing any speculation still pending; the same request as the one pending
   * (the words heard again after a breath) keeps that one, already under way.
   */
  speculate(request: SpeculativeRequest): void {
    const pending = this.pending;
    if (pending !== null && pending.error === undefined && sameRequest(pending.request, request)) {
      pending.withdrawn = false;
      this.expireIn(pending, this.ttlMs);
      return;
    }
    this.cancel();
    const speculation: Speculation = {
      request,
      controller: new AbortController(),
      chunks: [],
      done: false,
      error: undefined,
      wake: null,
      timer: undefined,
      withdrawn: false,
    };
    this.expireIn(speculation, this.ttlMs);
    this.pending = speculation;
    this.started++;
    void pump(this.inner, speculation);
  }

  /**
   * The callee spoke on after the words it was started on. What they add usually changes the words, and
   * the next speculation or the turn's request then replaces this one; a breath or a sound the VAD took
   * for speech leaves them as they were, and the speculation under way is taken up again rather than
   * asked anew (the vendor bills every request's prompt). Unclaimed, it is dropped soon. Dropping one
   * still streaming takes its connection down with it (an HTTP/1.1 request cannot be called off and the
   * connection kept), so another is opened now: the turn's request, a few hundred milliseconds away,
   * would otherwise pay a new TLS handshake.
   */
  drop(): void {
    const speculation = this.pending;
    if (speculation === null || speculation.withdrawn) return;
    speculation.withdrawn = true;
    this.expireIn(speculation, this.withdrawnMs);
    if (!speculation.done) this.warmup().catch(() => undefined);
  }

  /** Drops the pending speculation, if any. */
  cancel(): void {
    const speculation = this.pending;
    if (speculation === null) return;
    this.pending = null;
    clearTimeout(speculation.timer);
    speculation.controller.abort();
  }

  private expireIn(speculation: Speculation, ms: number): void {
    clearTimeout(speculation.timer);
    speculation.timer = setTimeout(() => {
      if (this.pending === speculation) this.cancel();
    }, ms);
    speculation.timer.unref?.();
  }

  stream(request: LlmRequest): AsyncIterable<LlmChunk> {
    const speculation = this.pending;
    if (
      speculation !== null &&
      speculation.error === undefined &&
      sameRequest(speculation.request, request)
    ) {
      this.pending = null;
      clearTimeout(speculation.timer);
      this.used++;
      return replay(speculation, request.signal);
    }
    this.cancel();
    return this.inner.stream(request);
  }
}

async function pump(inner: LLM, s: Speculation): Promise<void> {
  try {
    for await (const chunk of inner.stream({ ...s.request, signal: s.controller.signal })) {
      s.chunks.push(chunk);
      s.wake?.();
    }
  } catch (error) {
    s.error = error ?? new Error("the model stream failed");
  }
  s.done = true;
  s.wake?.();
}

/** The kept chunks, then the rest as it arrives; the owner's abort stops the model request. */
async function* replay(s: Speculation, signal: AbortSignal): AsyncGenerator<LlmChunk> {
  const onAbort = () => {
    s.controller.abort(signal.reason);
    s.wake?.();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  try {
    for (let i = 0; ; ) {
      if (signal.aborted) throw abortError(signal);
      if (i < s.chunks.length) {
        yield s.chunks[i++]!;
        continue;
      }
      if (s.done) {
        if (s.error !== undefined) throw s.error;
        return;
      }
      await new Promise<void>((resolve) => {
        s.wake = resolve;
      });
      s.wake = null;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    // Stopped early by the owner (the reply was cut short): the model need not go on.
    if (!s.done) s.controller.abort();
  }
}

/**
 * The same request, but for how the callee's last words are written: the recogniser's final may differ
 * from its interim in case and punctuation only, and a reply to the one fits the other.
 */
function sameRequest(a: SpeculativeRequest, b: SpeculativeRequest): boolean {
  if (
    a.tools !== b.tools ||
    a.toolChoice !== b.toolChoice ||
    a.temperature !== b.temperature ||
    a.maxTokens !== b.maxTokens ||
    a.messages.length !== b.messages.length
  )
    return false;
  return a.messages.every((m, i) => sameMessage(m, b.messages[i]!));
}

function sameMessage(a: LlmMessage, b: LlmMessage): boolean {
  if (a === b) return true;
  if (a.role === "user" && b.role === "user") return words(a.content) === words(b.content);
  return JSON.stringify(a) === JSON.stringify(b);
}

function words(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s']/gu, " ")
    .split(/\s+/)
    .filter(Boolean)
    .join(" ");
}
