import { afterAll, beforeAll, expect, it } from "vitest";
import { DialRefusedError } from "../../src/telephony/carrier.ts";
import { describeWith, SHARED_SPECS } from "../helpers/prerequisites.ts";
import { type Harness, isHangup, isType, startHarness } from "./harness.ts";

describeWith(SHARED_SPECS, "Telnyx adapter against the emulator: dial outcomes", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const failures = [
    ["+12125550101", "busy", "user_busy", "486"],
    ["+12125550102", "no_answer", "timeout", "487"],
    ["+12125550103", "rejected", "call_rejected", "603"],
    ["+12125550104", "invalid_number", "not_found", "404"],
    ["+12125550105", "unreachable", "unspecified", "410"],
  ] as const;

  for (const [to, cause, carrierCause, sip] of failures) {
    it(`${to.slice(-4)} ends as ${cause}, never answered`, async () => {
      const callId = `call-${cause}`;
      await h.carrier.dial(h.dialRequest(callId, to));
      const hangup = await h.waitFor(isHangup(callId));
      expect(hangup).toMatchObject({ cause, carrierCause, sipCode: sip });
      expect(h.events.some(isType(callId, "answered"))).toBe(false);
      expect(h.events.some(isType(callId, "ringing"))).toBe(true);
    });
  }

  it("0106: the carrier refuses the dial request", async () => {
    const err = await h.carrier.dial(h.dialRequest("call-refused", "+12125550106")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DialRefusedError);
    expect((err as DialRefusedError).carrierCode).toBe("10010");
  });

  it("a number that is not E.164 is refused with Telnyx's 10016", async () => {
    const err = await h.carrier
      .dial(h.dialRequest("call-bad-format", "12125550100"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DialRefusedError);
    expect((err as DialRefusedError).carrierCode).toBe("10016");
  });

  it("0100: answered by a human, media flows both ways, our hang-up ends it normally with a recording", async () => {
    const callId = "call-answered";
    await h.carrier.dial(h.dialRequest(callId, "+12125550100"));
    const answered = await h.waitFor(isType(callId, "answered"));
    expect(answered.callId).toBe(callId);
    const { stream } = await h.waitFor(isType(callId, "media"));
    let frames = 0;
    const closes: string[] = [];
    stream.attach({ onAudio: () => frames++, onClose: (r) => closes.push(r) });
    await new Promise((r) => setTimeout(r, 300));
    expect(frames).toBeGreaterThan(3);
    await h.carrier.hangup(callId);
    const hangup = await h.waitFor(isHangup(callId));
    expect(hangup).toMatchObject({ cause: "normal", source: "caller", carrierCause: "normal_clearing" });
    const rec = await h.waitFor(isType(callId, "recording"));
    expect(rec.url).toMatch(/\/recordings\/.+\.mp3$/);
    expect(rec.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(closes).toEqual(["hangup"]);
  });

  it("0108: answered is reported at once; the machine verdict and the greeting's beep follow as events", async () => {
    await h.carrier.dial(h.dialRequest("call-vm", "+12125550108"));
    const answered = await h.waitFor(isType("call-vm", "answered"));
    expect(answered.answeredBy).toBe("unknown");
    const verdict = await h.waitFor(isType("call-vm", "answered_by"));
    expect(verdict.answeredBy).toBe("machine");
    // The callee's tone is a beep to Telnyx's detector (detect_beep): call.machine.greeting.ended.
    await h.waitFor(isType("call-vm", "beep"));
    await h.carrier.hangup("call-vm");
    await h.waitFor(isHangup("call-vm"));
    const types = h.events.filter((e) => e.callId === "call-vm").map((e) => e.type);
    expect(types.filter((t) => t === "answered_by")).toHaveLength(1);
    expect(types.indexOf("answered_by")).toBeGreaterThan(types.indexOf("answered"));
    expect(types.filter((t) => t === "beep")).toHaveLength(1);
  });

  it("0108 with premium detection: the same events, from Telnyx's premium webhooks", async () => {
    const p = await startHarness({}, { answeringMachineDetection: "premium" });
    try {
      await p.carrier.dial(p.dialRequest("call-vm-premium", "+12125550108"));
      expect((await p.waitFor(isType("call-vm-premium", "answered_by"))).answeredBy).toBe("machine");
      await p.waitFor(isType("call-vm-premium", "beep"));
      await p.carrier.hangup("call-vm-premium");
      await p.waitFor(isHangup("call-vm-premium"));
      const sent = p.emulator.webhooks.map((w) => w.eventType);
      expect(sent).toContain("call.machine.premium.detection.ended");
      expect(sent).toContain("call.machine.premium.greeting.ended");
      expect(p.emulator.violations).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it("0107: the media path drops under a live call → the stream closes as dropped", async () => {
    const callId = "call-drop";
    await h.carrier.dial(h.dialRequest(callId, "+12125550107"));
    const { stream } = await h.waitFor(isType(callId, "media"));
    const closed = new Promise<string>((resolve) => stream.attach({ onAudio: () => {}, onClose: resolve }));
    expect(await closed).toBe("dropped");
    await h.carrier.hangup(callId);
    await h.waitFor(isHangup(callId));
  });

  it("hanging up before answer is a cancel; hanging up again is not an error", async () => {
    const callId = "call-cancel";
    await h.carrier.dial(h.dialRequest(callId, "+12125550102"));
    await h.carrier.hangup(callId);
    const hangup = await h.waitFor(isHangup(callId));
    expect(hangup).toMatchObject({ cause: "cancelled", source: "caller" });
    await expect(h.carrier.hangup(callId)).resolves.toBeUndefined();
  });

  it("every request the adapter sent and every webhook the emulator sent matches Telnyx's spec", async () => {
    await h.emulator.settled();
    expect(h.emulator.requests.length).toBeGreaterThan(5);
    expect(h.emulator.violations).toEqual([]);
  });
});
