import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FRAME_BYTES } from "../../media/media-stream.ts";
import { mulawEncode } from "../../media/mulaw.ts";
import { type FliteAudio, FliteSynth, type FliteVoice } from "./flite.ts";
import type { PersonaLineIndex } from "./line-index.ts";
import { downsample16kTo8k } from "./resample.ts";
import { frameAligned, holdMusic, voicemailBeep } from "./tones.ts";

/** What a sandbox persona needs to make sound: its lines, hold music and a beep, as 8 kHz mu-law. */
export interface CalleeSpeech {
  /** A line in a voice, trimmed of leading and trailing silence and padded to whole 20 ms frames. */
  line(text: string, voice: FliteVoice): Promise<Uint8Array>;
  /** One loop of hold music (whole frames). */
  holdMusic(): Uint8Array;
  /** The voicemail tone (whole frames). */
  beep(): Uint8Array;
}

// Bump when the processing below changes, so disk caches of older audio are not reused.
const CACHE_VERSION = "1";
const TRIM_LEVEL = 300;

/** 8 kHz PCM of a flite result with the silence around the words cut off. */
export function toPhonePcm(audio: FliteAudio): Int16Array {
  const pcm = audio.sampleRate === 16000 ? downsample16kTo8k(audio.pcm) : audio.pcm;
  let start = 0;
  while (start < pcm.length && Math.abs(pcm[start]!) < TRIM_LEVEL) start++;
  let end = pcm.length;
  while (end > start && Math.abs(pcm[end - 1]!) < TRIM_LEVEL) end--;
  // Start right on the first audible sample: each line's first frame is then distinct (see line-index).
  const out = new Int16Array(frameAligned(end - start));
  out.set(pcm.subarray(start, end));
  return out;
}

export interface FliteCalleeSpeechOptions {
  /** Keeps synthesised lines on disk across restarts (e.g. under the data directory). */
  cacheDir?: string;
  /** Told about every line produced, for the recogniser that reads persona lines. */
  index?: PersonaLineIndex;
  synth?: FliteSynth;
}

/** Callee speech from flite (WASI), cached in memory and optionally on disk: personas repeat lines. */
export class FliteCalleeSpeech implements CalleeSpeech {
  private readonly synth: FliteSynth;
  private readonly ownsSynth: boolean;
  private readonly cache = new Map<string, Promise<Uint8Array>>();
  /** The warm-up's own synthesiser while it runs. */
  private warming: FliteSynth | null = null;
  private music: Uint8Array | null = null;
  private tone: Uint8Array | null = null;

  constructor(private readonly options: FliteCalleeSpeechOptions = {}) {
    this.ownsSynth = options.synth === undefined;
    this.synth = options.synth ?? new FliteSynth();
  }

  line(text: string, voice: FliteVoice): Promise<Uint8Array> {
    const key = `${voice}\u0000${text}`;
    let audio = this.cache.get(key);
    if (!audio) {
      audio = this.produce(text, voice).then((bytes) => {
        this.options.index?.register(text, bytes);
        return bytes;
      });
      // A failed synthesis is not cached: the next request tries again.
      audio.catch(() => this.cache.delete(key));
      this.cache.set(key, audio);
    }
    return audio;
  }

  /**
   * Synthesises lines ahead of time, so first calls do not wait. With a synthesiser of its own, in a flite
   * process that ends with the warm-up (and makes the lines asked for meanwhile): a worker thread would
   * leave its allocator's arenas, tens of MB, mapped in this process after it ended. Lines already on disk
   * start no process.
   */
  async warm(items: ReadonlyArray<{ text: string; voice: FliteVoice }>): Promise<void> {
    const warming = this.ownsSynth ? new FliteSynth({ ownProcess: true }) : null;
    this.warming = warming;
    try {
      for (const { text, voice } of items) await this.line(text, voice);
    } finally {
      if (this.warming === warming) this.warming = null;
      await warming?.close();
    }
  }

  holdMusic(): Uint8Array {
    this.music ??= holdMusic();
    return this.music;
  }

  beep(): Uint8Array {
    this.tone ??= voicemailBeep();
    return this.tone;
  }

  async close(): Promise<void> {
    await this.warming?.close();
    if (this.ownsSynth) await this.synth.close();
  }

  private async produce(text: string, voice: FliteVoice): Promise<Uint8Array> {
    const dir = this.options.cacheDir;
    const file = dir
      ? join(
          dir,
          `${createHash("sha256").update(`${CACHE_VERSION}\u0000${voice}\u0000${text}`).digest("hex")}.ulaw`,
        )
      : null;
    if (file) {
      const cached = await readFile(file).catch(() => null);
      if (cached && cached.length > 0 && cached.length % FRAME_BYTES === 0) {
        return new Uint8Array(cached.buffer, cached.byteOffset, cached.byteLength);
      }
    }
    const synth = this.warming ?? this.synth;
    const bytes = mulawEncode(toPhonePcm(await synth.synthesize(text, voice)));
    if (dir && file) {
      // Write then rename, so a concurrent reader never sees half a file.
      const partial = `${file}.${process.pid}.partial`;
      await mkdir(dir, { recursive: true })
        .then(() => writeFile(partial, bytes))
        .then(() => rename(partial, file))
        .catch(() => undefined);
    }
    return bytes;
  }
}
