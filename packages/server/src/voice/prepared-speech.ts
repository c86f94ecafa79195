import type { Voice } from "@clawcall/contract";
import type { TTS } from "../providers/tts/tts.ts";
import { TextChunker, type TextChunkerOptions } from "./text-chunker.ts";

/** A line synthesised ahead of time, chunk by chunk, so it plays the moment it is wanted. */
export interface PreparedSpeech {
  readonly kind: "prepared";
  readonly text: string;
  readonly chunks: ReadonlyArray<{ text: string; audio: readonly Uint8Array[] }>;
}

/**
 * Synthesises a whole line now, cut into the same chunks a spoken reply would be, so played text is
 * credited chunk by chunk exactly as for any reply. Rejects if the synthesis fails or the signal aborts.
 */
export async function synthesizeAhead(o: {
  text: string;
  tts: TTS;
  voice: Voice;
  signal: AbortSignal;
  chunker?: TextChunkerOptions;
}): Promise<PreparedSpeech> {
  const chunker = new TextChunker(o.chunker);
  const texts = chunker.push(o.text);
  const rest = chunker.flush();
  if (rest !== null) texts.push(rest);
  const chunks = await Promise.all(
    texts.map(async (text) => {
      const audio: Uint8Array[] = [];
      for await (const piece of o.tts.synthesize({ text, voice: o.voice, signal: o.signal })) {
        if (piece.length > 0) audio.push(piece);
      }
      if (o.signal.aborted) throw new Error("speech synthesis ahead was cancelled");
      return { text, audio };
    }),
  );
  return { kind: "prepared", text: o.text, chunks };
}
