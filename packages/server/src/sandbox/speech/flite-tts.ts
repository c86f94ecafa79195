import type { Voice } from "@clawcall/contract";
import { mulawEncode } from "../../media/mulaw.ts";
import type { TTS, TtsCapabilities, TtsRequest } from "../../providers/tts/tts.ts";
import type { FliteSynth, FliteVoice } from "./flite.ts";
import { downsample16kTo8k } from "./resample.ts";

const VOICES: Record<Voice, FliteVoice> = { jessica: "slt", sarah: "slt", chris: "rms", eric: "awb" };

/** Phone audio kept for lines said again (8 MB is about 17 minutes of 8 kHz mu-law). */
const CACHE_BYTES = 8 * 1024 * 1024;

/**
 * Offline speech for the agent itself: flite, shipped inside an npm package. It lets the sandbox hold a
 * whole conversation with nothing but a language model configured. One synthesis per sentence chunk, so
 * the agent still starts speaking on its first clause. Flite is deterministic and one synthesis costs
 * tens of milliseconds of a single worker shared by every call, so a line said again (an opening, a
 * holding phrase, a goodbye) is played from memory, and calls asking for the same line at once share
 * one synthesis.
 */
export class FliteTts implements TTS {
  readonly name = "flite (offline)";
  readonly capabilities: TtsCapabilities = { streaming: false, outputFormats: ["pcm_16000"] };
  private readonly lines = new Map<string, Promise<Uint8Array>>();
  private readonly sizes = new Map<string, number>();
  private cachedBytes = 0;

  constructor(private readonly synth: FliteSynth) {}

  async *synthesize(request: TtsRequest): AsyncIterable<Uint8Array> {
    if (request.signal.aborted) return;
    const audio = await this.line(request.text, VOICES[request.voice]);
    if (request.signal.aborted) return;
    yield audio;
  }

  private line(text: string, voice: FliteVoice): Promise<Uint8Array> {
    const key = `${voice}\n${text}`;
    const known = this.lines.get(key);
    if (known !== undefined) {
      // Most recently used last, so the oldest line is the first to go.
      this.lines.delete(key);
      this.lines.set(key, known);
      return known;
    }
    const made = this.synth.synthesize(text, voice).then((audio) => {
      const pcm = audio.sampleRate === 16000 ? downsample16kTo8k(audio.pcm) : audio.pcm;
      const mulaw = mulawEncode(pcm);
      if (this.lines.get(key) === made) this.keep(key, mulaw.length);
      return mulaw;
    });
    this.lines.set(key, made);
    // A failed synthesis is not kept: the next request tries again.
    made.catch(() => {
      if (this.lines.get(key) === made) this.lines.delete(key);
    });
    return made;
  }

  private keep(key: string, bytes: number): void {
    this.sizes.set(key, bytes);
    this.cachedBytes += bytes;
    for (const oldest of this.lines.keys()) {
      if (this.cachedBytes <= CACHE_BYTES || oldest === key) break;
      const size = this.sizes.get(oldest);
      if (size === undefined) continue;
      this.lines.delete(oldest);
      this.sizes.delete(oldest);
      this.cachedBytes -= size;
    }
  }
}
