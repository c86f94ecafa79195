import { afterEach, expect, it, vi } from "vitest";
import { DialRefusedError } from "../../src/telephony/carrier.ts";
import { describeWith, SHARED_SPECS } from "../helpers/prerequisites.ts";
import { type Harness, isHangup, isType, startHarness } from "./harness.ts";

describeWith(SHARED_SPECS, "Telnyx dial: timeouts and limits", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("a dial that times out in the SDK is refused, never sent twice, and any call it placed is hung up", async () => {
    h = await startHarness(
      { dialResponseDelayMs: 1500, timings: { ringMs: 60_000 } },
      { dialTimeoutMs: 200 },
    );
    const err = await h.carrier.dial(h.dialRequest("slow", "+12125550100")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DialRefusedError);
    expect((err as DialRefusedError).carrierCode).toBe("timeout");
    const harness = h;
    // Whether the request reached Telnyx before the SDK gave up is the machine's timing (a loaded one may
    // not have sent it yet); the call it placed, if any, is ended. The next test places one for certain.
    // Past the emulator's slow answer (1500 ms): whatever it placed has been placed by then.
    await new Promise((r) => setTimeout(r, 1600));
    await vi.waitFor(
      () => expect([...harness.emulator.calls.values()].filter((c) => c.phase !== "ended")).toEqual([]),
      { timeout: 5000 },
    );
    await harness.emulator.settled();
    expect(harness.emulator.requests.filter((r) => r.operationId === "DialCall").length).toBeLessThanOrEqual(
      1,
    );
    expect(harness.events.filter((e) => e.callId === "slow")).toEqual([]);
    expect(harness.emulator.violations).toEqual([]);
  });

  it("a dial whose answer is lost once the call is placed is never sent again, and the call is hung up", async () => {
    h = await startHarness({ dialDropsAfterPlacing: true, timings: { ringMs: 60_000 } });
    const err = await h.carrier.dial(h.dialRequest("lost", "+12125550100")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DialRefusedError);
    const harness = h;
    // The emulator placed the call before the answer was lost; its first webhook tells us, and we end it.
    await vi.waitFor(
      () => expect([...harness.emulator.calls.values()].map((c) => c.phase)).toEqual(["ended"]),
      { timeout: 5000 },
    );
    await harness.emulator.settled();
    expect(harness.emulator.requests.filter((r) => r.operationId === "DialCall")).toHaveLength(1);
    expect(harness.emulator.calls.size).toBe(1);
    // The service was told the dial failed: it hears nothing more about this call.
    expect(harness.events.filter((e) => e.callId === "lost")).toEqual([]);
    expect(harness.emulator.violations).toEqual([]);
  });

  it("webhooks that overtake a slow dial response reach the service after the dial is confirmed, in order", async () => {
    let respond = () => {};
    const gate = new Promise<void>((r) => {
      respond = r;
    });
    h = await startHarness({ dialResponseGate: gate, timings: { ringMs: 50 } }, { dialTimeoutMs: 20_000 });
    const harness = h;
    // Settled into a value at once, so a failed dial is this test's failure, never an unhandled rejection.
    const dialing = harness.carrier.dial(harness.dialRequest("overtaken", "+12125550100")).then(
      () => "confirmed",
      (e: unknown) => e,
    );
    // The emulator sends call.initiated and call.answered while its dial response is still pending.
    await vi.waitFor(
      () =>
        expect(harness.emulator.webhooks.filter((w) => w.status === 200).map((w) => w.eventType)).toEqual(
          expect.arrayContaining(["call.initiated", "call.answered"]),
        ),
      { timeout: 10_000, interval: 20 },
    );
    expect(harness.events).toEqual([]);
    respond();
    expect(await dialing).toBe("confirmed");
    await harness.waitFor(isType("overtaken", "answered"));
    expect(harness.events.map((e) => e.type).slice(0, 2)).toEqual(["ringing", "answered"]);
    await harness.carrier.hangup("overtaken");
    await harness.waitFor(isHangup("overtaken"));
  });

  it("the account's channel limit shows as a carrier error (SIP 403) on the call over the limit", async () => {
    h = await startHarness({ channelLimit: 1, timings: { ringMs: 100 } });
    await h.carrier.dial(h.dialRequest("first", "+12125550100"));
    await h.waitFor(isType("first", "answered"));
    await h.carrier.dial(h.dialRequest("second", "+12125550100"));
    const hangup = await h.waitFor(isHangup("second"));
    expect(hangup).toMatchObject({ cause: "carrier_error", sipCode: "403" });
    await h.carrier.hangup("first");
    await h.waitFor(isHangup("first"));
  });

  it("Telnyx's API rate limit (429) refuses the dial without a retry", async () => {
    h = await startHarness({ requestsPerSecond: 0 });
    const err = await h.carrier.dial(h.dialRequest("limited", "+12125550100")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DialRefusedError);
    expect((err as DialRefusedError).carrierCode).toBe("10011");
    expect(h.emulator.calls.size).toBe(0);
  });
});
