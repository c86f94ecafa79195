import { describe, expect, it } from "vitest";
import { createLogger } from "../observability/logger.ts";
import type { TTS } from "../providers/tts/tts.ts";
import { createMediaPair, type MediaPair } from "../sandbox/media-pair.ts";
import {
  type BridgeResult,
  type Carrier,
  type CarrierEvent,
  DialRefusedError,
  type DialRequest,
} from "../telephony/carrier.ts";
import { SpokenTextJournal } from "../voice/spoken-text.ts";
import { VERIFICATION_LINES, VerificationCalls } from "./verification-call.ts";

/** What the phone does once it is answered: given the line, it may type keys. */
type Phone = (pair: MediaPair) => void;

/** A carrier that answers at once (or refuses, or is busy) and hands over a fast media line. */
class FakeCarrier implements Carrier {
  readonly name = "fake";
  readonly recordingsFollowHangup = false;
  readonly hangups: string[] = [];
  dialled: DialRequest[] = [];
  private listener: (event: CarrierEvent) => void = () => {};
  private readonly pairs = new Map<string, MediaPair>();

  constructor(
    private readonly behaviour: "answers" | "busy" | "refuses",
    private readonly phone: Phone = () => {},
  ) {}

  onEvent(listener: (event: CarrierEvent) => void): void {
    this.listener = listener;
  }

  async dial(request: DialRequest): Promise<void> {
    this.dialled.push(request);
    if (this.behaviour === "refuses") throw new DialRefusedError("refused", "D1");
    const { callId } = request;
    setImmediate(() => {
      if (this.behaviour === "busy") {
        this.listener({ type: "hangup", callId, cause: "busy", source: "callee" });
        return;
      }
      const pair = createMediaPair({ frameMs: 2 });
      this.pairs.set(callId, pair);
      pair.callee.attach({ onAudio: () => {} });
      this.listener({ type: "answered", callId, answeredBy: "human" });
      this.listener({ type: "media", callId, stream: pair.agent });
      this.phone(pair);
    });
  }

  async hangup(callId: string): Promise<void> {
    this.hangups.push(callId);
    this.pairs.get(callId)?.end("hangup");
    this.pairs.delete(callId);
  }

  async sendDigits(): Promise<void> {}
  async bridge(): Promise<BridgeResult> {
    return { ok: false, reason: "failed", message: "not here" };
  }
  async close(): Promise<void> {}
}

/** A voice of a few frames of silence per line. */
const tts: TTS = {
  name: "silence",
  capabilities: { streaming: false, outputFormats: ["mulaw_8000"] },
  async *synthesize() {
    yield new Uint8Array(800).fill(0xff);
  },
};

const typing =
  (digits: string): Phone =>
  (pair) => {
    setTimeout(() => {
      for (const d of digits) pair.calleePressDigit(d);
    }, 20);
  };

function calls(carrier: Carrier, journal?: SpokenTextJournal) {
  return new VerificationCalls({
    carrier,
    tts,
    logger: createLogger("silent"),
    timings: { ringSeconds: 1, typingSeconds: 0.2 },
    ...(journal ? { spokenText: journal } : {}),
  });
}

describe("a verification call", () => {
  it("verifies when the code is typed, asking for it without ever saying it", async () => {
    const journal = new SpokenTextJournal();
    const noted: string[] = [];
    const note = journal.note.bind(journal);
    journal.note = (mark, text) => {
      noted.push(text);
      note(mark, text);
    };
    const carrier = new FakeCarrier("answers", typing("402913"));
    expect(await calls(carrier, journal).run("+13125550118", "+12125550150", "402913")).toEqual({
      verified: true,
    });
    expect(carrier.dialled).toMatchObject([{ to: "+13125550118", from: "+12125550150", record: false }]);
    expect(noted[0]).toBe(VERIFICATION_LINES.ask);
    expect(noted.at(-1)).toBe(VERIFICATION_LINES.verified);
    expect(noted.join(" ")).not.toMatch(/\d/);
    expect(carrier.hangups).toHaveLength(1);
  });

  it("does not verify on a wrong code, nor on a code cut short with #", async () => {
    expect(
      await calls(new FakeCarrier("answers", typing("402914"))).run("+13125550118", "+1", "402913"),
    ).toEqual({
      verified: false,
      error: "wrong_code",
    });
    expect(
      await calls(new FakeCarrier("answers", typing("402#"))).run("+13125550118", "+1", "402913"),
    ).toEqual({
      verified: false,
      error: "wrong_code",
    });
  });

  it("counts a whole code typed just before the owner hung up", async () => {
    const typeAndHangUp: Phone = (pair) => {
      setTimeout(() => {
        for (const d of "402913") pair.calleePressDigit(d);
        pair.end("hangup");
      }, 20);
    };
    const carrier = new FakeCarrier("answers", typeAndHangUp);
    expect(await calls(carrier).run("+13125550118", "+1", "402913")).toEqual({ verified: true });
    // The owner already hung up: nothing to hang up.
    expect(carrier.hangups).toEqual([]);
  });

  it("asks twice, then ends without a code when nothing is typed", async () => {
    const carrier = new FakeCarrier("answers");
    expect(await calls(carrier).run("+13125550118", "+1", "402913")).toEqual({
      verified: false,
      error: "no_code",
    });
    expect(carrier.hangups).toHaveLength(1);
  });

  it("tells a phone that was not answered from a call that could not be placed", async () => {
    expect(await calls(new FakeCarrier("busy")).run("+13125550101", "+1", "402913")).toEqual({
      verified: false,
      error: "not_answered",
    });
    expect(await calls(new FakeCarrier("refuses")).run("+13125550106", "+1", "402913")).toEqual({
      verified: false,
      error: "call_failed",
    });
  });
});
