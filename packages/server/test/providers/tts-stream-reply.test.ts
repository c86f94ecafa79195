import { afterEach, describe, expect, it } from "vitest";
import type { MediaHandlers, MediaStream } from "../../src/media/media-stream.ts";
import { ElevenLabsTts } from "../../src/providers/tts/elevenlabs-tts.ts";
import { PlaybackTracker } from "../../src/voice/playback-tracker.ts";
import { playReply } from "../../src/voice/reply-pipeline.ts";
import { SpokenTextJournal } from "../../src/voice/spoken-text.ts";
import { type FakeElevenLabs, startFakeElevenLabs } from "../fakes/fake-elevenlabs.ts";
import { pitchOf } from "./tts-harness.ts";

/** Plays everything at once and keeps the audio before each mark, under the mark's text. */
class Line implements MediaStream {
  readonly played: { text: string; audio: Uint8Array }[] = [];
  readonly journal = new SpokenTextJournal();
  tracker: PlaybackTracker | null = null;
  private pending: Uint8Array[] = [];
  attach(_handlers: MediaHandlers): void {}
  send(audio: Uint8Array): void {
    this.pending.push(audio);
  }
  mark(name: string): void {
    this.played.push({ text: this.journal.take(name) ?? "?", audio: Buffer.concat(this.pending) });
    this.pending = [];
    queueMicrotask(() => this.tracker?.onMark(name));
  }
  clear(): void {
    this.pending = [];
  }
  close(): void {}
}

let fake: FakeElevenLabs;
let tts: ElevenLabsTts;
afterEach(async () => {
  tts?.close();
  await fake?.close();
});

describe("a reply spoken through ElevenLabs' WebSocket", () => {
  it("opens each chunk's context on its first words and plays each chunk's audio under that chunk's text", async () => {
    fake = await startFakeElevenLabs({ apiKey: "k" });
    tts = new ElevenLabsTts({ apiKey: "k", baseUrl: fake.url, maxRetries: 0 });
    const tones: Record<string, number> = {
      "Great choice,": 400,
      "I have booked a table for two at seven tonight.": 600,
      "Anything else?": 800,
    };
    fake.speech.setDefault((view) => ({ toneHz: tones[view.text] ?? 300, durationMs: 500 }));
    const line = new Line();
    const tracker = new PlaybackTracker(line, { journal: line.journal });
    line.tracker = tracker;
    let midChunk: string[] = [];
    async function* model() {
      for (const token of ["Great", " choice", ",", " I", " have", " booked", " a", " table", " for"]) {
        yield token;
        await new Promise((r) => setTimeout(r, 1));
      }
      // Held here until the second chunk's context is open (or give up), the chunk still unfinished.
      const opened = () => fake.streamMessages.filter((m) => m["text"] === " ").length;
      for (let i = 0; i < 500 && opened() < 2; i++) await new Promise((r) => setTimeout(r, 2));
      midChunk = fake.streamMessages.map((m) => String(m["text"] ?? ""));
      for (const token of [" two", " at", " seven", " tonight", ".", " Anything", " else", "?"]) yield token;
    }
    await playReply({
      source: () => model(),
      tts,
      voice: "jessica",
      tracker,
      signal: new AbortController().signal,
      onFirstAudio() {},
    });
    // The second chunk's context was open before the model had finished it; its words, which ElevenLabs'
    // schedule would only have buffered (under 120 characters), waited for its flush.
    expect(midChunk).toEqual([" ", "Great choice, ", "", " "]);
    expect(line.played.map((p) => p.text)).toEqual(Object.keys(tones));
    for (const p of line.played) {
      expect(p.audio.length).toBe(4000);
      expect(Math.abs(pitchOf(p.audio) - tones[p.text]!)).toBeLessThan(10);
    }
  });
});
