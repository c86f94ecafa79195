import { abortError } from "../abort.ts";
import { AsyncQueue } from "../async-queue.ts";
import type { TTS, TtsStreamEvent, TtsStreamRequest, TtsTextStream } from "./tts.ts";

/** The provider's own text stream when it has one, else one synthesis per flushed segment. */
export function openTextStream(tts: TTS, request: TtsStreamRequest): TtsTextStream {
  if (tts.capabilities.inputStreaming && tts.openStream) return tts.openStream(request);
  return synthesizeSegments(tts, request);
}

/**
 * A text stream over any TTS: each flushed segment is one `synthesize` call. The next segment's synthesis
 * starts while the current one's audio is still arriving (one ahead, never more), so the line has no gap
 * between segments waiting for a request; its audio waits in memory until its turn.
 */
export function synthesizeSegments(tts: TTS, request: TtsStreamRequest): TtsTextStream {
  const inner = new AbortController();
  const stop = () => inner.abort(request.signal.reason);
  request.signal.addEventListener("abort", stop, { once: true });
  const texts: string[] = [];
  const audio: AsyncQueue<Uint8Array>[] = [];
  let current = "";
  let ended = false;
  let reading = 0;
  let wake: (() => void) | null = null;
  const changed = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  /** Starts the segments that may run: the one being read and the one after it. */
  const startDue = () => {
    for (let s = reading; s <= reading + 1 && s < texts.length; s++) {
      if (audio[s] === undefined) audio[s] = pump(texts[s]!);
    }
  };

  const pump = (text: string): AsyncQueue<Uint8Array> => {
    const queue = new AsyncQueue<Uint8Array>();
    if (text.trim().length === 0) {
      queue.end();
      return queue;
    }
    void (async () => {
      try {
        for await (const piece of tts.synthesize({
          text: text.trim(),
          voice: request.voice,
          signal: inner.signal,
        })) {
          if (inner.signal.aborted) break;
          if (piece.length > 0) queue.push(piece);
        }
        if (inner.signal.aborted) queue.fail(abortError(inner.signal));
        else queue.end();
      } catch (error) {
        queue.fail(inner.signal.aborted ? abortError(inner.signal) : error);
      }
    })();
    return queue;
  };

  async function* events(): AsyncGenerator<TtsStreamEvent> {
    try {
      for (;;) {
        if (inner.signal.aborted) throw abortError(inner.signal);
        if (reading >= texts.length) {
          if (ended) return;
          // The reader waits here once a segment whenever the text comes slower than its audio: each wait
          // takes its abort listener away again, or a long reply gathers one per segment.
          await new Promise<void>((resolve) => {
            const onAbort = () => resolve();
            wake = () => {
              inner.signal.removeEventListener("abort", onAbort);
              resolve();
            };
            inner.signal.addEventListener("abort", onAbort, { once: true });
          });
          continue;
        }
        startDue();
        const segment = reading;
        for await (const piece of audio[segment]!) {
          if (inner.signal.aborted) break;
          yield { type: "audio", segment, audio: piece };
        }
        if (inner.signal.aborted) throw abortError(inner.signal);
        yield { type: "end", segment };
        reading++;
      }
    } finally {
      request.signal.removeEventListener("abort", stop);
      // Given up on (an error, or the reader left): nothing synthesised ahead is wanted any more.
      if (!inner.signal.aborted) inner.abort();
    }
  }

  return {
    write(text) {
      if (!ended) current += text;
    },
    flush() {
      texts.push(current);
      current = "";
      startDue();
      changed();
      return texts.length - 1;
    },
    end() {
      ended = true;
      changed();
    },
    events: events(),
  };
}
