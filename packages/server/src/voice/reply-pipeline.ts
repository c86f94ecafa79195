import type { Voice } from "@clawcall/contract";
import type { TTS } from "../providers/tts/tts.ts";
import { AsyncQueue } from "./async-queue.ts";
import type { PlaybackTracker } from "./playback-tracker.ts";
import type { PreparedSpeech } from "./prepared-speech.ts";
import { TextChunker, type TextChunkerOptions } from "./text-chunker.ts";

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
 * Streams one reply end to end: text → chunks (first clause as soon as it is complete) → one speech
 * synthesis per chunk → the playback tracker. Synthesis of a chunk starts while the text source is
 * still producing the next ones. Resolves once everything has been played out; throws the first
 * failure of the text source or the synthesis (not an abort).
 */
export async function playReply(o: ReplyPipelineOptions): Promise<void> {
  if (typeof o.source === "object") return playPrepared(o, o.source);
  // Our own controller, so a failed synthesis also stops the text source.
  const inner = new AbortController();
  const stop = () => inner.abort();
  o.signal.addEventListener("abort", stop, { once: true });
  const signal = inner.signal;
  const chunks = new AsyncQueue<string>();
  const producer = produceChunks(o, signal, chunks);
  let first = true;
  try {
    for await (const chunk of chunks) {
      if (signal.aborted) break;
      o.tracker.begin(chunk);
      try {
        for await (const audio of o.tts.synthesize({ text: chunk, voice: o.voice, signal })) {
          if (signal.aborted) break;
          if (audio.length === 0) continue;
          if (first) {
            first = false;
            o.onFirstAudio();
          }
          o.tracker.send(audio);
        }
      } catch (error) {
        throw signal.aborted ? error : new SpeechSynthesisError(error);
      }
      // Once aborted, the tracker may already be carrying the next reply.
      if (signal.aborted) break;
      o.tracker.end();
    }
  } catch (error) {
    if (!o.signal.aborted) {
      inner.abort();
      await producer;
      throw error;
    }
  } finally {
    o.signal.removeEventListener("abort", stop);
  }
  await producer;
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

async function produceChunks(
  o: ReplyPipelineOptions,
  signal: AbortSignal,
  out: AsyncQueue<string>,
): Promise<void> {
  const chunker = new TextChunker(o.chunker);
  try {
    if (typeof o.source === "string") {
      for (const c of chunker.push(o.source)) out.push(c);
    } else if (typeof o.source === "function") {
      for await (const text of o.source(signal)) {
        if (signal.aborted) break;
        for (const c of chunker.push(text)) out.push(c);
      }
    }
    const rest = chunker.flush();
    if (rest !== null && !signal.aborted) out.push(rest);
    out.end();
  } catch (error) {
    if (signal.aborted) out.end();
    else out.fail(error);
  }
}
