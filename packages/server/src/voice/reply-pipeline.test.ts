import { describe, expect, it } from "vitest";
import type { MediaHandlers, MediaStream } from "../media/media-stream.ts";
import { AsyncQueue } from "../providers/async-queue.ts";
import type {
  TTS,
  TtsRequest,
  TtsStreamEvent,
  TtsStreamRequest,
  TtsTextStream,
} from "../providers/tts/tts.ts";
import { PlaybackTracker } from "./playback-tracker.ts";
import { playReply, SpeechSynthesisError } from "./reply-pipeline.ts";
import { SpokenTextJournal } from "./spoken-text.ts";

/** A line that plays everything at once: what went out, in order (audio by its fill byte, marks by text). */
class RecordingLine implements MediaStream {
  readonly log: string[] = [];
  tracker: PlaybackTracker | null = null;
  readonly journal = new SpokenTextJournal();
  attach(_handlers: MediaHandlers): void {}
  send(audio: Uint8Array): void {
    this.log.push(`audio ${audio[0]}`);
  }
  mark(name: string): void {
    this.log.push(`mark ${this.journal.take(name)}`);
    queueMicrotask(() => this.tracker?.onMark(name));
  }
  clear(): void {
    this.log.push("clear");
  }
  close(): void {}
}

function rig() {
  const line = new RecordingLine();
  const tracker = new PlaybackTracker(line, { journal: line.journal });
  line.tracker = tracker;
  return { line, tracker };
}

/** One synthesis per chunk: a first piece at once, the rest when the test releases that chunk. */
class GatedTts implements TTS {
  readonly name = "gated";
  readonly capabilities = { streaming: true, outputFormats: ["mulaw_8000"] as const };
  readonly started: string[] = [];
  readonly aborted: string[] = [];
  private readonly gates = new Map<string, () => void>();
  failFirst = false;
  /** Syntheses waiting at their gate. */
  waiting = 0;

  release(text: string): void {
    this.gates.get(text)?.();
  }

  async *synthesize(request: TtsRequest): AsyncIterable<Uint8Array> {
    this.started.push(request.text);
    const id = this.started.length;
    if (this.failFirst) throw new Error("vendor down");
    yield new Uint8Array(160).fill(id);
    this.waiting++;
    await new Promise<void>((resolve) => {
      this.gates.set(request.text, resolve);
      request.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    this.waiting--;
    if (request.signal.aborted) {
      this.aborted.push(request.text);
      return;
    }
    yield new Uint8Array(160).fill(id);
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`never happened: ${what}`);
}

const REPLY = "First of all, this is one. Then comes the second one. And the third ends it.";
const CHUNKS = ["First of all,", "this is one.", "Then comes the second one.", "And the third ends it."];

describe("playReply without input streaming", () => {
  it("synthesises the next chunk while the current one's audio still comes, one ahead and no more", async () => {
    const { line, tracker } = rig();
    const tts = new GatedTts();
    const playing = playReply({
      source: REPLY,
      tts,
      voice: "jessica",
      tracker,
      signal: new AbortController().signal,
      onFirstAudio() {},
    });
    await until(() => tts.started.length === 2, "the second chunk's synthesis");
    await new Promise((r) => setTimeout(r, 20));
    expect(tts.started).toEqual(CHUNKS.slice(0, 2));
    // The second chunk's audio waits for the first to end.
    expect(line.log).toEqual(["audio 1"]);
    tts.release(CHUNKS[0]!);
    await until(() => tts.started.length === 3, "the third chunk's synthesis");
    tts.release(CHUNKS[1]!);
    await until(() => tts.started.length === 4, "the fourth chunk's synthesis");
    tts.release(CHUNKS[2]!);
    tts.release(CHUNKS[3]!);
    await playing;
    expect(line.log).toEqual(
      CHUNKS.flatMap((text, i) => [`audio ${i + 1}`, `audio ${i + 1}`, `mark ${text}`]),
    );
  });

  it("stops at once on abort, the synthesis ahead included, and sends nothing more", async () => {
    const { line, tracker } = rig();
    const tts = new GatedTts();
    const controller = new AbortController();
    const playing = playReply({
      source: REPLY,
      tts,
      voice: "jessica",
      tracker,
      signal: controller.signal,
      onFirstAudio() {},
    });
    await until(() => tts.waiting === 2, "both syntheses to wait for more");
    controller.abort();
    await playing;
    await until(() => tts.aborted.length === 2, "both syntheses to see the abort");
    expect(tts.aborted).toEqual(CHUNKS.slice(0, 2));
    expect(tts.started).toHaveLength(2);
    expect(line.log).toEqual(["audio 1"]);
  });

  it("fails as speech synthesis when the TTS fails, and passes a failing text source on after what was complete", async () => {
    const tts = new GatedTts();
    tts.failFirst = true;
    const failed = playReply({
      source: "Hello there.",
      tts,
      voice: "jessica",
      tracker: rig().tracker,
      signal: new AbortController().signal,
      onFirstAudio() {},
    });
    await expect(failed).rejects.toBeInstanceOf(SpeechSynthesisError);

    const broken = new Error("model broke");
    async function* source() {
      yield "A whole sentence. Some words ";
      throw broken;
    }
    const { line, tracker } = rig();
    const speaker = new GatedTts();
    const sourceFailed = playReply({
      source: () => source(),
      tts: speaker,
      voice: "jessica",
      tracker,
      signal: new AbortController().signal,
      onFirstAudio() {},
    });
    sourceFailed.catch(() => {});
    await until(() => speaker.waiting === 1, "the complete sentence's synthesis");
    speaker.release("A whole sentence.");
    await expect(sourceFailed).rejects.toBe(broken);
    // The sentence complete before the failure was spoken; the words after it were not.
    expect(speaker.started).toEqual(["A whole sentence."]);
    expect(line.log).toEqual(["audio 1", "audio 1", "mark A whole sentence."]);
  });
});

/** An input-streaming TTS whose events the test sends; it records what the pipeline wrote. */
class ScriptedStreamTts implements TTS {
  readonly name = "scripted-stream";
  readonly capabilities = { streaming: true, inputStreaming: true, outputFormats: ["mulaw_8000"] as const };
  readonly ops: string[] = [];
  readonly events = new AsyncQueue<TtsStreamEvent>();
  signal: AbortSignal | null = null;
  synthesize(): AsyncIterable<Uint8Array> {
    throw new Error("the pipeline should stream its text");
  }
  openStream(request: TtsStreamRequest): TtsTextStream {
    this.signal = request.signal;
    let segment = 0;
    return {
      write: (text) => this.ops.push(`write ${text}`),
      flush: () => {
        this.ops.push("flush");
        return segment++;
      },
      end: () => this.ops.push("end"),
      events: this.events,
    };
  }
}

describe("playReply with input streaming", () => {
  it("writes the words as the model gives them, flushes at each chunk, and plays audio under its chunk", async () => {
    const { line, tracker } = rig();
    const tts = new ScriptedStreamTts();
    const tokens = new AsyncQueue<string>();
    const playing = playReply({
      source: () => tokens,
      tts,
      voice: "jessica",
      tracker,
      signal: new AbortController().signal,
      onFirstAudio() {},
    });
    for (const t of ["Sure", " thing", ", let", " me", " check"]) tokens.push(t);
    await until(() => tts.ops.includes("write me "), "the words so far");
    expect(tts.ops).toEqual(["write Sure ", "write thing, ", "flush", "write let ", "write me "]);
    tts.events.push({ type: "audio", segment: 0, audio: new Uint8Array(160).fill(1) });
    tts.events.push({ type: "end", segment: 0 });
    tokens.push(" that.");
    tokens.end();
    await until(() => tts.ops.includes("end"), "the end of the text");
    tts.events.push({ type: "audio", segment: 1, audio: new Uint8Array(160).fill(2) });
    tts.events.push({ type: "audio", segment: 1, audio: new Uint8Array(160).fill(2) });
    tts.events.push({ type: "end", segment: 1 });
    tts.events.end();
    await playing;
    expect(tts.ops.slice(5)).toEqual(["write check that. ", "flush", "end"]);
    expect(line.log).toEqual([
      "audio 1",
      "mark Sure thing,",
      "audio 2",
      "audio 2",
      "mark let me check that.",
    ]);
  });

  it("aborts the stream on barge-in and plays nothing after it", async () => {
    const { line, tracker } = rig();
    const tts = new ScriptedStreamTts();
    const controller = new AbortController();
    const playing = playReply({
      source: "One sentence here. Another one there.",
      tts,
      voice: "jessica",
      tracker,
      signal: controller.signal,
      onFirstAudio() {},
    });
    tts.events.push({ type: "audio", segment: 0, audio: new Uint8Array(160).fill(1) });
    await until(() => line.log.length === 1, "the first audio");
    controller.abort();
    tts.events.push({ type: "audio", segment: 0, audio: new Uint8Array(160).fill(1) });
    tts.events.end();
    await playing;
    expect(tts.signal?.aborted).toBe(true);
    expect(line.log).toEqual(["audio 1"]);
  });
});
