import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulawDecode } from "../../media/mulaw.ts";
import type { STT, SttCapabilities, SttOpenOptions, SttSession } from "../../providers/stt/stt.ts";
import { ToneDetector } from "../../voice/tone-detector.ts";
import { EnergyVad } from "./energy-vad.ts";
import { buildGrammar, restorePhrases, type SandboxGrammar } from "./grammar.ts";
import { isHoldMusicFrame } from "./hold-music-frames.ts";
import { upsample8kTo16k } from "./resample.ts";

export const POCKETSPHINX_MODEL_DIR = "/usr/share/pocketsphinx/model/en-us";
const BINARY = "pocketsphinx_continuous";

/** True when Debian's `pocketsphinx` and `pocketsphinx-en-us` packages are installed. */
export function pocketsphinxAvailable(modelDir = POCKETSPHINX_MODEL_DIR): boolean {
  if (!existsSync(join(modelDir, "en-us")) || !existsSync(join(modelDir, "cmudict-en-us.dict"))) return false;
  return spawnSync("sh", ["-c", `command -v ${BINARY}`], { stdio: "ignore" }).status === 0;
}

// A second of silence at 16 kHz is what pocketsphinx's end-of-speech detector needs (-vad_postspeech
// 100 frames of 10 ms); writing it on flush ends the utterance now instead of a second later.
const FLUSH_SILENCE = Buffer.alloc(16000 * 2 * 1.1);

function killGroup(child: ChildProcessWithoutNullStreams): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

/**
 * A beep glued to the end of speech (a voicemail greeting's tone) spoils the whole utterance for the
 * grammar decoder: nothing is recognised. Audio reaches the decoder this many frames late, so a beep is
 * known before any of it gets there; it is then left out and the utterance ended on silence.
 */
const BEEP_GATE_FRAMES = 6;
const FRAME_BYTES = 160;
/**
 * Audio goes to the recogniser this many frames at a time: one pipe write per frame was half the
 * service's main thread with many calls. No word waits on it: a flush (the end of a turn) sends what
 * is pending first, and the recogniser's own end of speech needs a second of silence anyway.
 */
const FRAMES_PER_WRITE = 5;
const UPSAMPLED_FRAME_BYTES = FRAME_BYTES * 2 * 2;

class PocketsphinxSession implements SttSession {
  private readonly vad = new EnergyVad();
  private readonly pcm8 = new Int16Array(FRAME_BYTES);
  private readonly tones = new ToneDetector({ minMs: 100 });
  private readonly held = Array.from({ length: BEEP_GATE_FRAMES }, () => new Uint8Array(FRAME_BYTES));
  private heldFrom = 0;
  private heldCount = 0;
  private lastSample = 0;
  private batch = Buffer.allocUnsafe(FRAMES_PER_WRITE * UPSAMPLED_FRAME_BYTES);
  private batchBytes = 0;
  /** Inside a stretch of the sandbox's hold music, which is not decoded (see isHoldMusicFrame). */
  private inMusic = false;
  private stdoutRest = "";
  private closing: Promise<void> | null = null;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly grammar: SandboxGrammar,
    private readonly options: SttOpenOptions,
  ) {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => this.onOutput(chunk));
    child.stdin.on("error", () => undefined);
    child.on("error", (error) => this.fail(error));
    child.on("exit", (code, sig) => {
      if (this.closing === null) this.fail(new Error(`${BINARY} exited early (code ${code}, signal ${sig})`));
    });
    // The call is over: nobody wants the last words, so do not wait for them.
    options.signal.addEventListener(
      "abort",
      () => {
        void this.close();
        killGroup(child);
      },
      { once: true },
    );
  }

  write(audio: Uint8Array): void {
    if (this.closing) return;
    for (let offset = 0; offset < audio.length; offset += FRAME_BYTES) {
      const chunk = audio.subarray(offset, offset + FRAME_BYTES);
      if (this.vad.push(chunk) === "start") this.options.onEvent({ type: "speech_started" });
      if (chunk.length < FRAME_BYTES) {
        this.release();
        this.decode(chunk);
        continue;
      }
      if (this.tones.process(chunk) !== null) {
        // The beep's first frames are still held: drop them and end the utterance before it.
        this.heldCount = 0;
        this.sendPending();
        this.child.stdin.write(FLUSH_SILENCE);
      }
      if (this.tones.sounding) continue;
      if (isHoldMusicFrame(chunk)) {
        // What was said before the music is over: end its utterance now, not after the music.
        if (!this.inMusic) this.endUtterance();
        this.inMusic = true;
        continue;
      }
      this.inMusic = false;
      if (this.heldCount === BEEP_GATE_FRAMES) {
        this.decode(this.held[this.heldFrom]!);
        this.heldFrom = (this.heldFrom + 1) % BEEP_GATE_FRAMES;
        this.heldCount--;
      }
      this.held[(this.heldFrom + this.heldCount) % BEEP_GATE_FRAMES]!.set(chunk);
      this.heldCount++;
    }
  }

  flush(): void {
    if (this.closing) return;
    this.endUtterance();
  }

  /** Sends everything held and pending, then the silence that ends an utterance at once. */
  private endUtterance(): void {
    this.release();
    this.sendPending();
    this.child.stdin.write(FLUSH_SILENCE);
  }

  private sendPending(): void {
    if (this.batchBytes === 0) return;
    this.child.stdin.write(this.batch.subarray(0, this.batchBytes));
    // The stream keeps the written bytes until they are out: the next batch gets a buffer of its own.
    this.batch = Buffer.allocUnsafe(FRAMES_PER_WRITE * UPSAMPLED_FRAME_BYTES);
    this.batchBytes = 0;
  }

  /** Sends the frames held back for the beep gate. */
  private release(): void {
    for (; this.heldCount > 0; this.heldCount--) {
      this.decode(this.held[this.heldFrom]!);
      this.heldFrom = (this.heldFrom + 1) % BEEP_GATE_FRAMES;
    }
  }

  private decode(frame: Uint8Array): void {
    const pcm = mulawDecode(frame, this.pcm8.subarray(0, frame.length));
    const up = upsample8kTo16k(pcm, this.lastSample);
    this.lastSample = pcm[pcm.length - 1] ?? this.lastSample;
    if (this.batchBytes + up.byteLength > this.batch.length) this.sendPending();
    this.batch.set(new Uint8Array(up.buffer, up.byteOffset, up.byteLength), this.batchBytes);
    this.batchBytes += up.byteLength;
    if (this.batchBytes + UPSAMPLED_FRAME_BYTES > this.batch.length) this.sendPending();
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      // Let it finish what it was given (it runs faster than real time), but never hang on it.
      const timer = setTimeout(() => killGroup(this.child), 30_000);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      this.release();
      this.sendPending();
      this.child.stdin.end(FLUSH_SILENCE);
    });
    return this.closing;
  }

  private onOutput(chunk: string): void {
    const lines = (this.stdoutRest + chunk).split("\n");
    this.stdoutRest = lines.pop() ?? "";
    for (const line of lines) {
      const hypothesis = line.trim();
      if (hypothesis === "" || this.options.signal.aborted) continue;
      const text = restorePhrases(hypothesis, this.grammar.originals);
      this.options.onEvent({ type: "final", text, endOfUtterance: true });
    }
  }

  private fail(error: Error): void {
    if (this.closing) return;
    this.closing = Promise.resolve();
    this.options.onEvent({ type: "error", error });
  }
}

export interface PocketsphinxSttOptions {
  /** Everything the far end may say; recognition is exact within this list and blind outside it. */
  phrases: readonly string[];
  modelDir?: string;
}

/**
 * Offline recognition for the sandbox on Debian's pocketsphinx. 8 kHz phone audio is upsampled to the
 * 16 kHz its packaged model expects and decoded against a JSGF grammar of the sandbox's phrases: with
 * the general language model it is poor on phone audio, with the grammar it is exact.
 */
export class PocketsphinxStt implements STT {
  readonly name = "sandbox-pocketsphinx";
  readonly capabilities: SttCapabilities = {
    streaming: true,
    interimResults: false,
    inputEncodings: ["mulaw"],
    sampleRates: [8000],
  };
  private files: { dir: string; grammar: SandboxGrammar } | null = null;
  private readonly modelDir: string;

  constructor(private readonly options: PocketsphinxSttOptions) {
    this.modelDir = options.modelDir ?? POCKETSPHINX_MODEL_DIR;
  }

  /** Phrases left out of the grammar because the dictionary lacks one of their words. */
  get skippedPhrases(): readonly string[] {
    return this.prepare().grammar.skipped;
  }

  async open(options: SttOpenOptions): Promise<SttSession> {
    if (options.encoding !== "mulaw" || options.sampleRate !== 8000) {
      throw new Error("the sandbox's pocketsphinx adapter takes 8 kHz mu-law only");
    }
    const { dir, grammar } = this.prepare();
    const args = [
      `-hmm ${join(this.modelDir, "en-us")}`,
      `-jsgf ${join(dir, "sandbox.gram")}`,
      `-dict ${join(dir, "sandbox.dict")}`,
      "-samprate 16000",
      "-vad_postspeech 100",
      "-logfn /dev/null",
    ].join(" ");
    // pocketsphinx_continuous reads a file, not a pipe it can seek: cat in front gives it a stream.
    const child = spawn("sh", ["-c", `cat | exec ${BINARY} -infile /dev/stdin ${args}`], {
      stdio: ["pipe", "pipe", "pipe"],
      // Its own process group, so a stuck pipeline (sh, cat, the recogniser) can be ended as one.
      detached: true,
    });
    child.stderr.resume();
    return new PocketsphinxSession(child, grammar, options);
  }

  /** Removes the grammar files; sessions still open keep running until closed. */
  dispose(): void {
    if (this.files) rmSync(this.files.dir, { recursive: true, force: true });
    this.files = null;
  }

  private prepare(): { dir: string; grammar: SandboxGrammar } {
    if (this.files) return this.files;
    const cmudict = readFileSync(join(this.modelDir, "cmudict-en-us.dict"), "utf8");
    const grammar = buildGrammar(this.options.phrases, cmudict);
    const dir = mkdtempSync(join(tmpdir(), "clawcall-sphinx-"));
    writeFileSync(join(dir, "sandbox.gram"), grammar.jsgf);
    writeFileSync(join(dir, "sandbox.dict"), grammar.dictionary);
    this.files = { dir, grammar };
    return this.files;
  }
}
