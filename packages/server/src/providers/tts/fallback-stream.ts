import { abortError } from "../abort.ts";
import type { FallbackOptions, FallbackOrder } from "../fallback-order.ts";
import { openTextStream } from "./segmented-stream.ts";
import type { TTS, TtsStreamEvent, TtsStreamRequest, TtsTextStream } from "./tts.ts";

type Op = { write: string } | { flush: true } | { end: true };

/**
 * A text stream from the first provider, in `order`, that produces audio. Everything written is kept until
 * then, so a provider that fails before its first audio is replaced by the next, which is given the text
 * so far (through its own text stream, or one synthesis per segment). Once audio has been played the
 * provider is never switched; a failure is passed on.
 */
export function fallbackTextStream(
  order: FallbackOrder<TTS>,
  options: FallbackOptions,
  request: TtsStreamRequest,
): TtsTextStream {
  const ops: Op[] = [];
  let segments = 0;
  let current: TtsTextStream | null = null;
  let replayable = true;
  const apply = (stream: TtsTextStream, op: Op) => {
    if ("write" in op) stream.write(op.write);
    else if ("flush" in op) stream.flush();
    else stream.end();
  };
  const record = (op: Op) => {
    // Kept only while a replay may still be needed.
    if (replayable) ops.push(op);
    if (current !== null) apply(current, op);
  };

  async function* events(): AsyncGenerator<TtsStreamEvent> {
    let lastError: unknown;
    let started = false;
    /** Segments already ended here: a replacement's events for them are not passed on again. */
    let ended = 0;
    for (const index of order.order()) {
      if (request.signal.aborted) throw abortError(request.signal);
      const provider = order.item(index);
      const attempt = new AbortController();
      const stop = () => attempt.abort(request.signal.reason);
      request.signal.addEventListener("abort", stop, { once: true });
      const stream = openTextStream(provider, { voice: request.voice, signal: attempt.signal });
      for (const op of ops) apply(stream, op);
      current = stream;
      try {
        for await (const event of stream.events) {
          if (event.segment < ended) continue;
          if (event.type === "audio" && !started) {
            started = true;
            order.succeeded(index);
            replayable = false;
            ops.length = 0;
          }
          if (event.type === "end" && !started) ended = event.segment + 1;
          yield event;
        }
        if (!started) order.succeeded(index);
        return;
      } catch (error) {
        if (request.signal.aborted) throw abortError(request.signal);
        if (started) throw error;
        order.failed(index);
        options.onFallback?.(provider.name, error);
        lastError = error;
      } finally {
        request.signal.removeEventListener("abort", stop);
        if (!attempt.signal.aborted) attempt.abort();
      }
    }
    throw lastError;
  }

  return {
    write(text) {
      record({ write: text });
    },
    flush() {
      record({ flush: true });
      return segments++;
    },
    end() {
      record({ end: true });
    },
    events: events(),
  };
}
