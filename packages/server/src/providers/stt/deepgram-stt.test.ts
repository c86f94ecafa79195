import { afterEach, describe, expect, it } from "vitest";
import { type FakeDeepgram, startFakeDeepgram } from "../../../test/fakes/fake-deepgram.ts";
import {
  EventLog,
  openMulaw,
  send,
  silenceFrames,
  speechFrames,
} from "../../../test/providers/stt-harness.ts";
import { ProviderError } from "../abort.ts";
import { DeepgramStt } from "./deepgram-stt.ts";
import type { SttSession } from "./stt.ts";

describe("DeepgramStt", () => {
  let fake: FakeDeepgram;
  let session: SttSession | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
    await fake?.close();
  });

  const stt = (extra: Partial<ConstructorParameters<typeof DeepgramStt>[0]> = {}) =>
    new DeepgramStt({ apiKey: "dg-test", baseUrl: fake.url, ...extra });

  it("opens a stream for 8 kHz mu-law with interim results, endpointing and hints", async () => {
    fake = await startFakeDeepgram({ apiKey: "dg-test" });
    session = await openMulaw(stt(), new EventLog(), undefined, ["Smile Dental", "cleaning"]);
    const seen = fake.sessions[0]!;
    expect(seen.authorization).toBe("Token dg-test");
    expect(seen.query.get("encoding")).toBe("mulaw");
    expect(seen.query.get("sample_rate")).toBe("8000");
    expect(seen.query.get("interim_results")).toBe("true");
    expect(seen.query.get("vad_events")).toBe("true");
    expect(seen.query.get("model")).toBe("nova-3");
    expect(seen.query.get("language")).toBe("en-US");
    expect(Number(seen.query.get("endpointing"))).toBeGreaterThan(0);
    expect(seen.query.getAll("keyterm")).toEqual(["Smile Dental", "cleaning"]);
  });

  it("turns speech into speech_started, interim words and a final that ends the utterance", async () => {
    fake = await startFakeDeepgram();
    fake.hear("I would like to book a cleaning for Tuesday");
    const log = new EventLog();
    session = await openMulaw(stt(), log);
    send(session, [...silenceFrames(200), ...speechFrames(1500), ...silenceFrames(600)]);
    const final = await log.next("final");
    expect(final).toEqual({
      type: "final",
      text: "I would like to book a cleaning for Tuesday",
      endOfUtterance: true,
    });
    const types = log.events.map((e) => e.type);
    expect(types.indexOf("speech_started")).toBeLessThan(types.indexOf("final"));
    expect(log.texts("interim").length).toBeGreaterThan(0);
    expect("I would like to book a cleaning for Tuesday".startsWith(log.texts("interim")[0]!)).toBe(true);
    expect(fake.sessions[0]!.audioBytes()).toBe(8000 * 2.3);
  });

  it("on flush asks Deepgram to finalise and reports the words so far as the end of the utterance", async () => {
    fake = await startFakeDeepgram();
    fake.hear("Yes that works");
    const log = new EventLog();
    session = await openMulaw(stt({ endpointingMs: 5000 }), log);
    send(session, speechFrames(800));
    session.flush();
    const final = await log.next("final");
    expect(final).toEqual({ type: "final", text: "Yes that works", endOfUtterance: true });
    expect(fake.sessions[0]!.controls).toContain("Finalize");
  });

  it("sends audio that may wait in messages of up to 200 ms, and audio that may not at once after it", async () => {
    fake = await startFakeDeepgram();
    fake.hear("Hello");
    const log = new EventLog();
    session = await openMulaw(stt(), log);
    send(session, silenceFrames(460), 200);
    send(session, speechFrames(40));
    session.flush();
    await log.next("final");
    const remote = fake.sessions[0]!;
    // 23 quiet frames: two full batches, then the three held go out ahead of the first speech frame.
    expect(remote.messages).toEqual([
      "audio 1600",
      "audio 1600",
      "audio 480",
      "audio 160",
      "audio 160",
      "Finalize",
    ]);
    expect(remote.audioBytes()).toBe(8 * 500);
  });

  it("sends a batch when the audio in it with the shortest wait has waited its time", async () => {
    fake = await startFakeDeepgram();
    session = await openMulaw(stt({ endpointingMs: 5000 }), new EventLog());
    const remote = fake.sessions[0]!;
    // Quiet that may wait 200 ms, then speech that may wait 100: the batch goes once it holds 100 ms.
    send(session, silenceFrames(60), 200);
    send(session, speechFrames(240), 100);
    send(session, silenceFrames(20));
    await session.close();
    session = undefined;
    await remote.closed;
    expect(remote.messages).toEqual(["audio 800", "audio 800", "audio 800", "audio 160", "CloseStream"]);
  });

  it("sends held audio before a flush or the end of the stream", async () => {
    fake = await startFakeDeepgram();
    session = await openMulaw(stt({ endpointingMs: 5000 }), new EventLog());
    const remote = fake.sessions[0]!;
    send(session, silenceFrames(40), 200);
    session.flush();
    send(session, silenceFrames(60), 200);
    await session.close();
    session = undefined;
    await remote.closed;
    expect(remote.messages).toEqual(["audio 320", "Finalize", "audio 480", "CloseStream"]);
  });

  it("closes an utterance on UtteranceEnd when endpointing never fired", async () => {
    fake = await startFakeDeepgram();
    const log = new EventLog();
    session = await openMulaw(stt(), log);
    const remote = fake.sessions[0]!;
    remote.final("hold on");
    await log.next("final");
    remote.utteranceEnd();
    await new Promise<void>((resolve) => {
      const poll = () => (log.events.length >= 2 ? resolve() : setTimeout(poll, 5));
      poll();
    });
    expect(log.events).toEqual([
      { type: "final", text: "hold on", endOfUtterance: false },
      { type: "final", text: "", endOfUtterance: true },
    ]);
  });

  it("sends CloseStream on close and waits for Deepgram to hang up, without reporting an error", async () => {
    fake = await startFakeDeepgram();
    const log = new EventLog();
    session = await openMulaw(stt(), log);
    const remote = fake.sessions[0]!;
    send(session, silenceFrames(100));
    await session.close();
    session = undefined;
    expect(remote.controls).toContain("CloseStream");
    expect(await remote.closed).toBe(1000);
    expect(log.events.filter((e) => e.type === "error")).toEqual([]);
  });

  it("reports a dropped connection as an error event", async () => {
    fake = await startFakeDeepgram();
    const log = new EventLog();
    session = await openMulaw(stt(), log);
    fake.sessions[0]!.drop();
    const event = await log.next("error");
    expect(event.error).toBeInstanceOf(ProviderError);
  });

  it("fails to open when Deepgram refuses the key", async () => {
    fake = await startFakeDeepgram({ apiKey: "right" });
    const error = await openMulaw(
      new DeepgramStt({ apiKey: "wrong", baseUrl: fake.url }),
      new EventLog(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
  });

  it("closes the stream when the call's signal aborts, with no error event", async () => {
    fake = await startFakeDeepgram();
    const log = new EventLog();
    const controller = new AbortController();
    session = await openMulaw(stt(), log, controller.signal);
    controller.abort();
    await fake.sessions[0]!.closed;
    expect(log.events.filter((e) => e.type === "error")).toEqual([]);
  });

  it("sends no quiet audio once its words are in, only KeepAlive, and its last 300 ms ahead of the next speech", async () => {
    fake = await startFakeDeepgram({ idleTimeoutMs: 400 });
    fake.hear("Hello there", "Yes that works");
    const log = new EventLog();
    session = await openMulaw(stt({ keepAliveMs: 100 }), log);
    const remote = fake.sessions[0]!;
    send(session, [...speechFrames(600), ...silenceFrames(400)]);
    await log.next("final");
    const heardBefore = remote.audioBytes();
    // A second of the quiet line, then as long again with nothing: the stream is kept open.
    for (const frame of silenceFrames(1000)) session.write(frame, 200, true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(remote.audioBytes()).toBe(heardBefore);
    expect(remote.controls.filter((c) => c === "KeepAlive").length).toBeGreaterThanOrEqual(5);
    const sentBefore = remote.messages.length;
    send(session, [...speechFrames(600), ...silenceFrames(400)]);
    await expect.poll(() => log.texts("final")).toEqual(["Hello there", "Yes that works"]);
    expect(remote.messages.slice(sentBefore, sentBefore + 2)).toEqual(["audio 2400", "audio 160"]);
    expect(remote.audioBytes()).toBe(heardBefore + 2400 + 8000);
    expect(log.events.filter((e) => e.type === "error")).toEqual([]);
  });

  it("sends the quiet line while words wait for their final, and keeps it back once they have it", async () => {
    fake = await startFakeDeepgram();
    const log = new EventLog();
    session = await openMulaw(stt({ endpointingMs: 5000 }), log);
    const remote = fake.sessions[0]!;
    const quiet = (frames: number) => {
      for (const frame of silenceFrames(frames * 20)) session!.write(frame, 0, true);
    };
    remote.interim("Yes");
    await log.next("interim");
    quiet(2);
    remote.final("Yes that works");
    await expect.poll(() => log.texts("final")).toEqual(["Yes that works"]);
    quiet(2);
    remote.utteranceEnd();
    await expect.poll(() => log.events.filter((e) => e.type === "final").length).toBe(2);
    quiet(3);
    send(session, speechFrames(20));
    await expect.poll(() => remote.messages.length).toBe(6);
    expect(remote.messages).toEqual([
      "audio 160",
      "audio 160",
      "audio 160",
      "audio 160",
      "audio 480",
      "audio 160",
    ]);
  });

  it("sends the kept quiet oldest first, whatever the size of the pieces it came in", async () => {
    fake = await startFakeDeepgram({ keepAudio: true });
    session = await openMulaw(stt({ endpointingMs: 5000 }), new EventLog());
    const remote = fake.sessions[0]!;
    // 100 pieces of 70 bytes, each filled with its own number: the ring of 2400 bytes wraps mid-piece.
    const pieces = Array.from({ length: 100 }, (_, i) => new Uint8Array(70).fill(i));
    for (const piece of pieces) session.write(piece, 200, true);
    session.write(new Uint8Array(160).fill(0xee));
    await expect.poll(() => remote.audioBytes()).toBe(2400 + 160);
    const lastQuiet = Buffer.concat(pieces.map((p) => Buffer.from(p))).subarray(7000 - 2400);
    expect(remote.audio().equals(Buffer.concat([lastQuiet, Buffer.alloc(160, 0xee)]))).toBe(true);
    expect(remote.messages).toEqual(["audio 2400", "audio 160"]);
  });

  it("keeps a quiet stream alive with KeepAlive messages", async () => {
    fake = await startFakeDeepgram({ idleTimeoutMs: 300 });
    const log = new EventLog();
    session = await openMulaw(stt({ keepAliveMs: 50 }), log);
    const remote = fake.sessions[0]!;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(remote.controls.filter((c) => c === "KeepAlive").length).toBeGreaterThan(2);
    expect(log.events.filter((e) => e.type === "error")).toEqual([]);
  });
});
