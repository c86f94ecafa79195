import { afterEach, describe, expect, it } from "vitest";
import { DeepgramStt } from "../../src/providers/stt/deepgram-stt.ts";
import { FallbackStt } from "../../src/providers/stt/fallback-stt.ts";
import type { STT, SttSession } from "../../src/providers/stt/stt.ts";
import { type FakeDeepgram, startFakeDeepgram } from "../fakes/fake-deepgram.ts";
import { EventLog, openMulaw, send, silenceFrames, speechFrames } from "./stt-harness.ts";

interface SttRig {
  stt: STT;
  /** The fake that ends up hearing the audio. */
  fake: FakeDeepgram;
  close(): Promise<void>;
}

const HARNESSES: { name: string; start(): Promise<SttRig> }[] = [
  {
    name: "Deepgram",
    async start() {
      const fake = await startFakeDeepgram();
      return { stt: new DeepgramStt({ apiKey: "k", baseUrl: fake.url }), fake, close: fake.close };
    },
  },
  {
    name: "Fallback past a refusing Deepgram",
    async start() {
      const refusing = await startFakeDeepgram();
      refusing.rejectNext(500, 100);
      const fake = await startFakeDeepgram();
      const stt = new FallbackStt([
        new DeepgramStt({ apiKey: "k", baseUrl: refusing.url }),
        new DeepgramStt({ apiKey: "k", baseUrl: fake.url }),
      ]);
      return {
        stt,
        fake,
        close: async () => {
          await refusing.close();
          await fake.close();
        },
      };
    },
  },
];

describe.each(HARNESSES)("STT conformance: $name", (harness) => {
  let rig: SttRig;
  let session: SttSession | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
    await rig?.close();
  });

  it("declares that it streams 8 kHz mu-law with interim results", async () => {
    rig = await harness.start();
    expect(rig.stt.capabilities.streaming).toBe(true);
    expect(rig.stt.capabilities.interimResults).toBe(true);
    expect(rig.stt.capabilities.inputEncodings).toContain("mulaw");
    expect(rig.stt.capabilities.sampleRates).toContain(8000);
  });

  it("hears an utterance and ends it with a final result", async () => {
    rig = await harness.start();
    rig.fake.hear("Is this the right number for billing");
    const log = new EventLog();
    session = await openMulaw(rig.stt, log);
    send(session, [...speechFrames(1200), ...silenceFrames(600)]);
    expect(await log.next("final")).toEqual({
      type: "final",
      text: "Is this the right number for billing",
      endOfUtterance: true,
    });
    expect(log.events.some((e) => e.type === "speech_started")).toBe(true);
  });

  it("keeps two utterances apart", async () => {
    rig = await harness.start();
    rig.fake.hear("Hello", "Can you hold please");
    const log = new EventLog();
    session = await openMulaw(rig.stt, log);
    send(session, [
      ...speechFrames(400),
      ...silenceFrames(1200),
      ...speechFrames(900),
      ...silenceFrames(600),
    ]);
    await new Promise<void>((resolve) => {
      const poll = () => (log.texts("final").length >= 2 ? resolve() : setTimeout(poll, 10));
      poll();
    });
    expect(log.texts("final")).toEqual(["Hello", "Can you hold please"]);
  });

  it("gives a final that ends the utterance when flushed mid-speech", async () => {
    rig = await harness.start();
    rig.fake.hear("Yes please");
    const log = new EventLog();
    session = await openMulaw(rig.stt, log);
    send(session, speechFrames(600));
    session.flush();
    expect(await log.next("final")).toEqual({ type: "final", text: "Yes please", endOfUtterance: true });
  });

  it("closes cleanly and quietly, on close and on abort", async () => {
    rig = await harness.start();
    const log = new EventLog();
    session = await openMulaw(rig.stt, log);
    await session.close();
    session = undefined;
    const controller = new AbortController();
    await openMulaw(rig.stt, log, controller.signal);
    controller.abort();
    await rig.fake.sessions[1]!.closed;
    expect(log.events.filter((e) => e.type === "error")).toEqual([]);
  });
});
