import { FRAME_BYTES } from "../../media/media-stream.ts";
import type { STT, SttCapabilities, SttOpenOptions, SttSession } from "../../providers/stt/stt.ts";
import type { IndexedLine, PersonaLineIndex } from "./line-index.ts";

interface Track {
  line: IndexedLine;
  offset: number;
}

class PersonaLineSession implements SttSession {
  private tracks: Track[] = [];
  private readonly pending = new Uint8Array(FRAME_BYTES);
  private pendingBytes = 0;
  private closed = false;

  constructor(
    private readonly index: PersonaLineIndex,
    private readonly options: SttOpenOptions,
  ) {
    options.signal.addEventListener("abort", () => void this.close(), { once: true });
  }

  write(audio: Uint8Array): void {
    let offset = 0;
    while (!this.closed && offset < audio.length) {
      const take = Math.min(FRAME_BYTES - this.pendingBytes, audio.length - offset);
      this.pending.set(audio.subarray(offset, offset + take), this.pendingBytes);
      this.pendingBytes += take;
      offset += take;
      if (this.pendingBytes === FRAME_BYTES) {
        this.pendingBytes = 0;
        this.frame(this.pending);
      }
    }
  }

  private frame(frame: Uint8Array): void {
    const starting = this.index.startingWith(frame);
    // Most frames are silence, music or the middle of nothing known: nothing to follow, nothing made.
    if (this.tracks.length === 0 && starting.length === 0) return;
    // Follow the lines already being played; a line is heard once its last frame has gone by.
    const stillPlaying: Track[] = [];
    for (const track of this.tracks) {
      if (!equalAt(track.line.audio, track.offset, frame)) continue;
      track.offset += FRAME_BYTES;
      if (track.offset >= track.line.audio.length) {
        this.tracks = [];
        this.options.onEvent({ type: "final", text: track.line.text, endOfUtterance: true });
        return;
      }
      stillPlaying.push(track);
    }
    const wasQuiet = stillPlaying.length === 0;
    for (const line of starting) {
      if (line.audio.length === FRAME_BYTES) {
        this.tracks = [];
        this.options.onEvent({ type: "speech_started" });
        this.options.onEvent({ type: "final", text: line.text, endOfUtterance: true });
        return;
      }
      stillPlaying.push({ line, offset: FRAME_BYTES });
    }
    if (wasQuiet && stillPlaying.length > 0) this.options.onEvent({ type: "speech_started" });
    this.tracks = stillPlaying;
  }

  flush(): void {
    // Finals come when a line has been played out in full; there is nothing buffered to force out.
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tracks = [];
  }
}

function equalAt(audio: Uint8Array, offset: number, frame: Uint8Array): boolean {
  if (offset + frame.length > audio.length) return false;
  for (let i = 0; i < frame.length; i++) if (audio[offset + i] !== frame[i]) return false;
  return true;
}

/**
 * The sandbox's recogniser when pocketsphinx is not installed: it does not recognise speech, it reads
 * the persona's lines from the simulation. It reports a line's text as final when that line's audio has
 * been played out in full (matched byte for byte against the index of synthesised lines), so timing and
 * barge-in still follow the real audio. Hold music, beeps and partial lines produce nothing.
 */
export class PersonaLineStt implements STT {
  readonly name = "sandbox-persona-lines";
  readonly capabilities: SttCapabilities = {
    streaming: true,
    interimResults: false,
    inputEncodings: ["mulaw"],
    sampleRates: [8000],
  };

  constructor(private readonly index: PersonaLineIndex) {}

  async open(options: SttOpenOptions): Promise<SttSession> {
    if (options.encoding !== "mulaw" || options.sampleRate !== 8000) {
      throw new Error("the sandbox's persona-line reader takes 8 kHz mu-law only");
    }
    return new PersonaLineSession(this.index, options);
  }
}
