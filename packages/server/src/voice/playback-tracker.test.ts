import { afterEach, describe, expect, it } from "vitest";
import { bytesForMs } from "../media/frames.ts";
import type { MediaHandlers, MediaStream } from "../media/media-stream.ts";
import { createMediaPair, type MediaPair } from "../sandbox/media-pair.ts";
import { PlaybackTracker } from "./playback-tracker.ts";
import { SpokenTextJournal } from "./spoken-text.ts";
import { sineMulaw } from "./synth.ts";

/** A media stream whose play-out the test drives by hand. */
class ManualMedia implements MediaStream {
  handlers: MediaHandlers | null = null;
  sent = 0;
  marks: string[] = [];
  cleared = 0;
  attach(h: MediaHandlers) {
    this.handlers = h;
  }
  send(audio: Uint8Array) {
    this.sent += audio.length;
  }
  mark(name: string) {
    this.marks.push(name);
  }
  clear() {
    this.cleared++;
    this.marks = [];
  }
  close() {}
  playNextMark(tracker: PlaybackTracker) {
    const m = this.marks.shift();
    if (m !== undefined) tracker.onMark(m);
  }
}

describe("PlaybackTracker", () => {
  let now = 0;
  const clock = () => now;

  it("counts a chunk as said only once its mark has come back", () => {
    now = 0;
    const media = new ManualMedia();
    const tracker = new PlaybackTracker(media, { now: clock });
    tracker.begin("Hello there.");
    tracker.send(new Uint8Array(bytesForMs(1000)));
    tracker.end();
    tracker.begin("How are you?");
    tracker.send(new Uint8Array(bytesForMs(1000)));
    tracker.end();
    expect(tracker.playing).toBe(true);
    now = 1000;
    media.playNextMark(tracker);
    expect(tracker.playedText()).toBe("Hello there.");
    now = 2000;
    media.playNextMark(tracker);
    expect(tracker.playedText()).toBe("Hello there. How are you?");
    expect(tracker.playing).toBe(false);
  });

  it("does not credit a word the line had not carried when the call was cut, whatever the wall clock says", () => {
    now = 0;
    let line = 0;
    const media = new ManualMedia();
    const tracker = new PlaybackTracker(media, { now: clock, lineClock: () => line });
    tracker.begin("Hello,");
    tracker.send(new Uint8Array(bytesForMs(580)));
    tracker.end();
    // A stalled process: 600 ms went by on the wall clock, but only 380 ms of the line's frames.
    now = 600;
    line = 380;
    expect(tracker.clear()).toBe("");

    tracker.begin("Hello, there.");
    tracker.send(new Uint8Array(bytesForMs(1000)));
    tracker.end();
    now = 1100;
    line = 1380;
    // The line ran on; the wall clock is what says only part of it was out.
    expect(tracker.playedText()).toBe("Hello,");
  });

  it("a pause stops the far end and a resume sends again from the first word not heard", () => {
    now = 0;
    const media = new ManualMedia();
    const tracker = new PlaybackTracker(media, { now: clock });
    tracker.begin("one two three four");
    tracker.send(new Uint8Array(bytesForMs(2000)));
    tracker.end();
    const oldMark = media.marks[0]!;
    now = 1100; // "one two" are out, "three" is half said
    tracker.pause();
    expect(media.cleared).toBe(1);
    expect(tracker.playedText()).toBe("one two");
    // Audio that arrives while paused is kept, not sent.
    tracker.begin("five six");
    tracker.send(new Uint8Array(bytesForMs(1000)));
    tracker.end();
    expect(media.sent).toBe(bytesForMs(2000));
    expect(tracker.playing).toBe(true);
    // A mark of the audio that was dropped means nothing now.
    tracker.onMark(oldMark);
    expect(tracker.playedText()).toBe("one two");
    now = 1500;
    tracker.resume();
    // From "three" on: half of the first chunk again, then the second chunk, each with a new mark.
    expect(media.sent).toBe(bytesForMs(2000) + bytesForMs(1000) + bytesForMs(1000));
    expect(media.marks).toHaveLength(2);
    expect(media.marks).not.toContain(oldMark);
    now = 2500;
    media.playNextMark(tracker);
    expect(tracker.playedText()).toBe("one two three four");
    now = 3500;
    media.playNextMark(tracker);
    expect(tracker.playedText()).toBe("one two three four five six");
    expect(tracker.playing).toBe(false);
  });

  it("notes each chunk's text under its mark, and after a pause the words still to come", () => {
    now = 0;
    const media = new ManualMedia();
    const journal = new SpokenTextJournal();
    const tracker = new PlaybackTracker(media, { now: clock, journal });
    tracker.begin("one two three four");
    tracker.send(new Uint8Array(bytesForMs(2000)));
    tracker.end();
    const first = media.marks[0]!;
    now = 1100;
    tracker.pause();
    tracker.resume();
    const again = media.marks[0]!;
    expect(journal.take(again)).toBe("three four");
    // The dropped mark's text is still there for a far end that cuts it: it reads only the words played.
    expect(journal.take(first)).toBe("one two three four");
    expect(journal.size).toBe(0);
  });

  it("a paused reply that is then cut keeps only what was heard before the pause", () => {
    now = 0;
    const media = new ManualMedia();
    const tracker = new PlaybackTracker(media, { now: clock });
    tracker.begin("one two three four");
    tracker.send(new Uint8Array(bytesForMs(2000)));
    tracker.end();
    now = 600;
    tracker.pause();
    now = 5000;
    expect(tracker.clear()).toBe("one");
    expect(tracker.playing).toBe(false);
    expect(tracker.isPaused).toBe(false);
  });

  it("on clear keeps only the words whose time has passed and stops the far end", () => {
    now = 0;
    const media = new ManualMedia();
    const tracker = new PlaybackTracker(media, { now: clock });
    tracker.begin("One two.");
    tracker.send(new Uint8Array(bytesForMs(500)));
    tracker.end();
    tracker.begin("three four five six seven eight");
    tracker.send(new Uint8Array(bytesForMs(1200)));
    tracker.end();
    now = 500;
    media.playNextMark(tracker);
    now = 500 + 600; // half of the second chunk
    expect(tracker.clear()).toBe("One two. three four five");
    expect(media.cleared).toBe(1);
    expect(tracker.playing).toBe(false);
  });

  it("resolves drained() once the far end has played everything", async () => {
    now = 0;
    const media = new ManualMedia();
    const tracker = new PlaybackTracker(media, { now: clock });
    tracker.begin("Bye.");
    tracker.send(new Uint8Array(800));
    tracker.end();
    let done = false;
    const drained = tracker.drained().then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    media.playNextMark(tracker);
    await drained;
    expect(done).toBe(true);
  });

  describe("over a real-time line", () => {
    let pair: MediaPair | null = null;
    afterEach(() => pair?.end("hangup"));

    it("tracks what the callee actually received", async () => {
      pair = createMediaPair({});
      let heardFrames = 0;
      pair.callee.attach({
        onAudio: (frame) => {
          if (frame.some((b) => b !== 0xff)) heardFrames++;
        },
      });
      const tracker = new PlaybackTracker(pair.agent);
      pair.agent.attach({ onAudio: () => {}, onMark: (m) => tracker.onMark(m) });
      tracker.begin("A short beep.");
      tracker.send(sineMulaw(800, 200));
      tracker.end();
      tracker.begin("A much longer tone that will be cut off before the end.");
      tracker.send(sineMulaw(800, 2000));
      tracker.end();
      await new Promise((r) => setTimeout(r, 700));
      const said = tracker.clear();
      expect(said.startsWith("A short beep. A much")).toBe(true);
      expect(said.length).toBeLessThan("A short beep. A much longer tone that will be cut".length);
      const heardAtClear = heardFrames;
      await new Promise((r) => setTimeout(r, 200));
      // Nothing more reaches the callee after the clear.
      expect(heardFrames - heardAtClear).toBeLessThanOrEqual(1);
      expect(heardAtClear).toBeGreaterThan(10);
    });
  });
});
