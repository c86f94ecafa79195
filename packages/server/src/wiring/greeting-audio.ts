import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Voice } from "@clawcall/contract";
import type { RecordingLinks } from "../api/recording-links.ts";
import { SAMPLE_RATE } from "../media/media-stream.ts";
import { mulawDecode } from "../media/mulaw.ts";
import type { Logger } from "../observability/logger.ts";
import type { TTS } from "../providers/tts/tts.ts";

/** Longest a greeting may take to synthesise: the user's phone is not rung before it is ready. */
const SYNTHESIS_TIMEOUT_MS = 10_000;

/** A 16-bit PCM mono WAV of 8 kHz mu-law audio: a format every carrier plays. */
export function monoWav(mulaw: Uint8Array): Buffer {
  const pcm = mulawDecode(mulaw);
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "ascii");
  h.writeUInt32LE(36 + data.length, 4);
  h.write("WAVE", 8, "ascii");
  h.write("fmt ", 12, "ascii");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "ascii");
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/**
 * The audio of a handoff's warm greeting, for a carrier that plays a file to the user as they pick up
 * (Telnyx's transfer `audio_url`): said in the call's voice, written as a WAV with the recordings and
 * served through the same signed link that expires with them. Null when it cannot be made: the handoff
 * then goes ahead without it.
 */
export function greetingAudio(
  voice: () => TTS,
  links: RecordingLinks,
  logger: Logger,
): (text: string, speaker: Voice) => Promise<string | null> {
  return async (text, speaker) => {
    const signal = AbortSignal.timeout(SYNTHESIS_TIMEOUT_MS);
    try {
      const chunks: Uint8Array[] = [];
      for await (const chunk of voice().synthesize({ text, voice: speaker, signal })) chunks.push(chunk);
      const audio = Buffer.concat(chunks);
      // Cut short by the timeout: half a greeting is worse than none.
      if (signal.aborted || audio.length === 0) return null;
      const file = path.join(links.directory, `${randomUUID()}.wav`);
      await fs.writeFile(file, monoWav(audio), { mode: 0o600 });
      return links.publish(file).url;
    } catch (err) {
      logger.warn({ err }, "handoff greeting not made; joining the user without it");
      return null;
    }
  };
}
