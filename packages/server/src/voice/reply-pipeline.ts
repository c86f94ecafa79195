import type { Voice } from "@clawcall/contract";
import { openTextStream } from "../providers/tts/segmented-stream.ts";
import type { TTS, TtsTextStream } from "../providers/tts/tts.ts";
import type { PlaybackTracker } from "./playback-tracker.ts";
import type { PreparedSpeech } from "./prepared-speech.ts";
import type { TextChunkerOptions } from "./text-chunker.ts";
import { type FeedStep, TextFeed } from "./text-feed.ts";

/** Speech synthesis failed (as opposed to the text source), so the caller can say which one broke. */
export class SpeechSynthesisError extends Error {
  constructor(cause: unknown) {
    super(`speech synthesis failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "SpeechSynthesisError";
  }
}

/**
 * Text to speak: a fixed line, a stream (model tokens) opened with the reply's abort signal, or a line
 * already synthesised.
 */
export type SpeechSource = string | PreparedSpeech | ((signal: AbortSignal) => AsyncIterable<string>);

export interface ReplyPipelineOptions {
  source: SpeechSource;
  tts: TTS;
  voice: Voice;
  tracker: PlaybackTracker;
  signal: AbortSignal;
  chunker?: TextChunkerOptions;
  /** Called just before the reply's first audio is handed to the media stream. */
  onFirstAudio(): void;
}

/**
 * Streams one reply end to end: text → the TTS's text stream, opened before the first token so its
 * connection is ready (words as they complete, a flush at each chunk boundary: the first clause as soon
 * as it is complete) → audio tagged with its chunk → the playback tracker. A TTS without input streaming
 * synthesises each chunk in one request, the next one's already under way while the current one plays.
 * Resolves once everything has been played out; throws the first failure of the text source or the
 * synthesis (not an abort).
 */
export async function playReply(o: ReplyPipelineOptions): Promise<void> {
  if (typeof o.source === "object") return playPrepared(o, o.source);
  // Our own controller, so a failed synthesis also stops the text source.
  const inner = new AbortController();
  const stop = () => inner.abort();
  o.signal.addEventListener("abort", stop, { once: true });
  const signal = inner.signal;
  const texts: string[] = [];
  const stream = openTextStream(o.tts, { voice: o.voice, signal });
  const source = { error: null as unknown };
  const producer = produceText(o, signal, stream, texts, source);
  let first = true;
  let open = -1;
  try {
    for await (const event of stream.events) {
      // Once aborted, the tracker may already be carrying the next reply.
      if (signal.aborted) break;
      if (open !== event.segment) {
        o.tracker.begin(texts[event.segment] ?? "");
        open = event.segment;
      }
      if (event.type === "end") {
        o.tracker.end();
        open = -1;
        continue;
      }
      if (first) {
        first = false;
        o.onFirstAudio();
      }
      o.tracker.send(event.audio);
    }
  } catch (error) {
    if (!o.signal.aborted) {
      inner.abort();
      await producer;
      throw source.error ?? new SpeechSynthesisError(error);
    }
  } finally {
    o.signal.removeEventListener("abort", stop);
  }
  await producer;
  if (source.error) throw source.error;
  if (o.signal.aborted) return;
  await o.tracker.drained(o.signal);
}

/** Plays audio synthesised ahead: no synthesis wait, the same chunks and marks as a spoken reply. */
async function playPrepared(o: ReplyPipelineOptions, speech: PreparedSpeech): Promise<void> {
  let first = true;
  for (const chunk of speech.chunks) {
    if (o.signal.aborted) return;
    o.tracker.begin(chunk.text);
    for (const audio of chunk.audio) {
      if (first) {
        first = false;
        o.onFirstAudio();
      }
      o.tracker.send(audio);
    }
    o.tracker.end();
  }
  await o.tracker.drained(o.signal);
}

/**
 * Feeds the text to the stream. A failure of the source is kept for the caller: the chunks already
 * complete are still spoken, the words after them are dropped.
 */
async function produceText(
  o: ReplyPipelineOptions,
  signal: AbortSignal,
  stream: TtsTextStream,
  texts: string[],
  source: { error: unknown },
): Promise<void> {
  const feed = new TextFeed(o.chunker);
  const apply = (steps: FeedStep[]) => {
    for (const step of steps) {
      if ("write" in step) stream.write(step.write);
      else {
        texts.push(step.flush);
        stream.flush();
      }
    }
  };
  try {
    if (typeof o.source === "string") apply(feed.push(o.source));
    else if (typeof o.source === "function") {
      for await (const text of o.source(signal)) {
        if (signal.aborted) break;
        apply(feed.push(text));
      }
    }
    if (!signal.aborted) apply(feed.finish());
    stream.end();
  } catch (error) {
    if (!signal.aborted) source.error = error;
    stream.end();
  }
}
