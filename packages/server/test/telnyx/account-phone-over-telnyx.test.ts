import { afterEach, expect, it } from "vitest";
import { createLogger } from "../../src/observability/logger.ts";
import { VerificationCalls } from "../../src/phones/verification-call.ts";
import type { TTS } from "../../src/providers/tts/tts.ts";
import { shareCarrier } from "../../src/telephony/carrier-switchboard.ts";
import { describeWith, SHARED_SPECS } from "../helpers/prerequisites.ts";
import type { CalleeFactory } from "../telnyx-emulator/callee.ts";
import { scriptedCallee } from "../telnyx-emulator/callee.ts";
import { type Harness, isType, startHarness } from "./harness.ts";

/** Half a second of silence per line: the question's words do not matter to a callee that types on answer. */
const silence: TTS = {
  name: "silence",
  capabilities: { streaming: false, outputFormats: ["mulaw_8000"] },
  async *synthesize() {
    yield new Uint8Array(4000).fill(0xff);
  },
};

/** A phone whose owner types `digits` a moment after answering, as inbound DTMF on the media stream. */
const typing =
  (digits: string): CalleeFactory =>
  (ctx) => {
    const inner = scriptedCallee()(ctx);
    setTimeout(() => {
      for (const d of digits) ctx.sendDigit(d);
    }, 600);
    return inner;
  };

describeWith(SHARED_SPECS, "an account phone over Telnyx (the emulator)", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const verification = (harness: Harness) =>
    new VerificationCalls({
      carrier: shareCarrier(harness.carrier).side,
      tts: silence,
      logger: createLogger("silent"),
      timings: { ringSeconds: 5, typingSeconds: 2 },
    });

  it("a verification call hears the code typed on the keypad, and records nothing", async () => {
    h = await startHarness({ calleeFactory: typing("402913"), timings: { ringMs: 100, noAnswerMs: 300 } });
    expect(await verification(h).run("+13125550118", "+12125550199", "402913")).toEqual({ verified: true });
    const dial = h.emulator.requests.find((r) => r.operationId === "DialCall");
    expect(dial?.body).not.toHaveProperty("record");
    expect(h.emulator.requests.flatMap((r) => r.specErrors)).toEqual([]);
  });

  it("a wrong code typed over Telnyx does not verify", async () => {
    h = await startHarness({ calleeFactory: typing("111111"), timings: { ringMs: 100, noAnswerMs: 300 } });
    expect(await verification(h).run("+13125550118", "+12125550199", "402913")).toEqual({
      verified: false,
      error: "wrong_code",
    });
  });

  it("a handoff's warm greeting is played to the user by the transfer, in the call's voice", async () => {
    const asked: string[] = [];
    h = await startHarness(
      { timings: { ringMs: 100, noAnswerMs: 300 } },
      {
        greetingAudio: async (text, voice) => {
          asked.push(`${voice}: ${text}`);
          return "http://127.0.0.1:9/recordings/greeting.wav?expires=1&sig=x";
        },
      },
    );
    await h.carrier.dial(h.dialRequest("greeted", "+12125550100"));
    await h.waitFor(isType("greeted", "media"));
    const result = await h.carrier.bridge("greeted", "+13125550118", "+12125550199", {
      greeting: "Jordan, the desk is on the line.",
      voice: "eric",
    });
    expect(result).toEqual({ ok: true });
    expect(asked).toEqual(["eric: Jordan, the desk is on the line."]);
    const transfer = h.emulator.requests.find((r) => r.operationId === "TransferCall");
    expect(transfer?.body).toMatchObject({
      audio_url: "http://127.0.0.1:9/recordings/greeting.wav?expires=1&sig=x",
    });
    expect(transfer?.specErrors).toEqual([]);
    await h.carrier.hangup("greeted");
  });

  it("a handoff whose greeting could not be made goes ahead without one", async () => {
    h = await startHarness(
      { timings: { ringMs: 100, noAnswerMs: 300 } },
      { greetingAudio: async () => null },
    );
    await h.carrier.dial(h.dialRequest("plain", "+12125550100"));
    await h.waitFor(isType("plain", "media"));
    expect(await h.carrier.bridge("plain", "+13125550118", "+12125550199", { greeting: "Hi." })).toEqual({
      ok: true,
    });
    const transfer = h.emulator.requests.find((r) => r.operationId === "TransferCall");
    expect(transfer?.body).not.toHaveProperty("audio_url");
    await h.carrier.hangup("plain");
  });
});
