import { mulawDecode } from "../../src/media/mulaw.ts";

export interface SpeechTrackerOptions {
  sampleRate: number;
  encoding: "mulaw" | "linear16";
  threshold: number;
  /** Silence after speech that ends an utterance; null turns endpointing off. */
  endpointMs: number | null;
  utteranceEndMs: number | null;
  /** Silence after which onPause is called once (null: never). */
  pauseMs?: number | null;
  onSpeechStarted(): void;
  /** The speech has paused for `pauseMs`: a recogniser's interim then covers every word said. */
  onPause?(): void;
  /** Called every 300 ms of speech with a rough share of the utterance heard so far (0..1). */
  onProgress(fraction: number): void;
  onEndpoint(): void;
  /** `endpointed` says whether onEndpoint already closed this utterance. */
  onUtteranceEnd(endpointed: boolean): void;
}

const FRAME_MS = 20;

/** Finds speech in a stream of audio by frame energy, counting time in audio received (not wall time). */
export class SpeechTracker {
  private carry = new Uint8Array(0);
  private speaking = false;
  private speechMs = 0;
  private silenceMs = 0;
  private utteranceOpen = false;
  private endpointed = false;
  private readonly frameBytes: number;

  constructor(private readonly options: SpeechTrackerOptions) {
    const samples = (options.sampleRate * FRAME_MS) / 1000;
    this.frameBytes = options.encoding === "linear16" ? samples * 2 : samples;
  }

  push(bytes: Uint8Array): void {
    const all = new Uint8Array(this.carry.length + bytes.length);
    all.set(this.carry);
    all.set(bytes, this.carry.length);
    let offset = 0;
    for (; offset + this.frameBytes <= all.length; offset += this.frameBytes) {
      this.frame(all.subarray(offset, offset + this.frameBytes));
    }
    this.carry = all.slice(offset);
  }

  /** Closes the utterance in progress (for Finalize/CloseStream); true when there was one to close. */
  takeUtterance(): boolean {
    const open = this.utteranceOpen && !this.endpointed;
    this.utteranceOpen = false;
    this.endpointed = false;
    this.speechMs = 0;
    return open;
  }

  private frame(bytes: Uint8Array): void {
    const loud = this.rms(bytes) > this.options.threshold;
    if (loud) {
      if (!this.speaking && (!this.utteranceOpen || this.endpointed)) {
        this.utteranceOpen = true;
        this.endpointed = false;
        this.speechMs = 0;
        this.options.onSpeechStarted();
      }
      this.speaking = true;
      this.silenceMs = 0;
      this.speechMs += FRAME_MS;
      if (this.speechMs % 300 === 0) this.options.onProgress(Math.min(0.9, this.speechMs / 2000));
      return;
    }
    this.speaking = false;
    if (!this.utteranceOpen) return;
    this.silenceMs += FRAME_MS;
    const { endpointMs, utteranceEndMs, pauseMs } = this.options;
    const pause = Math.max(pauseMs ?? 0, FRAME_MS);
    if (!this.endpointed && pauseMs != null && this.silenceMs >= pause && this.silenceMs - FRAME_MS < pause)
      this.options.onPause?.();
    if (!this.endpointed && endpointMs !== null && this.silenceMs >= Math.max(endpointMs, FRAME_MS)) {
      this.endpointed = true;
      this.options.onEndpoint();
    }
    if (utteranceEndMs !== null && this.silenceMs >= utteranceEndMs) {
      const endpointed = this.endpointed;
      this.utteranceOpen = false;
      this.endpointed = false;
      this.options.onUtteranceEnd(endpointed);
    }
  }

  private rms(bytes: Uint8Array): number {
    let sum = 0;
    let count = 0;
    if (this.options.encoding === "mulaw") {
      const pcm = mulawDecode(bytes);
      for (const s of pcm) sum += s * s;
      count = pcm.length;
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      for (let i = 0; i + 1 < bytes.length; i += 2) sum += view.getInt16(i, true) ** 2;
      count = bytes.length / 2;
    }
    return count ? Math.sqrt(sum / count) : 0;
  }
}
