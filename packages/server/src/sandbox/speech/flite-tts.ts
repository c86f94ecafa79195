import type { Voice } from "@clawcall/contract";
import { mulawEncode } from "../../media/mulaw.ts";
import type { TTS, TtsCapabilities, TtsRequest } from "../../providers/tts/tts.ts";
import type { FliteSynth, FliteVoice } from "./flite.ts";
import { downsample16kTo8k } from "./resample.ts";

const VOICES: Record<Voice, FliteVoice> = { jessica: "slt", sarah: "slt", chris: "rms", eric: "awb" };

/**
 * Offline speech for the agent itself: flite, shipped inside an npm package. It lets the sandbox hold a
 * whole conversation with nothing but a language model configured. One synthesis per sentence chunk, so
 * the agent still starts speaking on its first clause.
 */
export class FliteTts implements TTS {
  readonly name = "flite (offline)";
  readonly capabilities: TtsCapabilities = { streaming: false, outputFormats: ["pcm_16000"] };

  constructor(private readonly synth: FliteSynth) {}

  async *synthesize(request: TtsRequest): AsyncIterable<Uint8Array> {
    if (request.signal.aborted) return;
    const audio = await this.synth.synthesize(request.text, VOICES[request.voice]);
    if (request.signal.aborted) return;
    const pcm = audio.sampleRate === 16000 ? downsample16kTo8k(audio.pcm) : audio.pcm;
    yield mulawEncode(pcm);
  }
}
