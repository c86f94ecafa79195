import { describe, expect, it } from "vitest";
import type { BridgeResult, Carrier, CarrierEvent, DialRequest } from "./carrier.ts";
import { shareCarrier } from "./carrier-switchboard.ts";

class RecordingCarrier implements Carrier {
  readonly name = "recording";
  readonly recordingsFollowHangup = false;
  listener: (event: CarrierEvent) => void = () => {};
  refuse = false;
  onEvent(listener: (event: CarrierEvent) => void): void {
    this.listener = listener;
  }
  async dial(_request: DialRequest): Promise<void> {
    if (this.refuse) throw new Error("refused");
  }
  async hangup(): Promise<void> {}
  async sendDigits(): Promise<void> {}
  async bridge(): Promise<BridgeResult> {
    return { ok: true };
  }
  async close(): Promise<void> {}
}

const dial = (callId: string): DialRequest => ({
  callId,
  to: "+13125550118",
  from: "+12125550150",
  ringTimeoutSeconds: 5,
  record: false,
});

describe("a carrier shared by the calls and a side line", () => {
  it("gives each the events of the calls it dialled, and the rest to the calls", async () => {
    const carrier = new RecordingCarrier();
    const { main, side } = shareCarrier(carrier);
    const mainEvents: string[] = [];
    const sideEvents: string[] = [];
    main.onEvent((e) => mainEvents.push(`${e.callId}:${e.type}`));
    side.onEvent((e) => sideEvents.push(`${e.callId}:${e.type}`));
    await main.dial(dial("call"));
    await side.dial(dial("verify"));
    carrier.listener({ type: "ringing", callId: "call" });
    carrier.listener({ type: "ringing", callId: "verify" });
    carrier.listener({ type: "hangup", callId: "verify", cause: "normal", source: "callee" });
    // After its hang-up the side's call is forgotten: a stray late event goes to the calls, which ignore it.
    carrier.listener({ type: "ringing", callId: "verify" });
    expect(sideEvents).toEqual(["verify:ringing", "verify:hangup"]);
    expect(mainEvents).toEqual(["call:ringing", "verify:ringing"]);
  });

  it("forgets a side call the carrier refused to place", async () => {
    const carrier = new RecordingCarrier();
    const { main, side } = shareCarrier(carrier);
    const mainEvents: string[] = [];
    main.onEvent((e) => mainEvents.push(e.callId));
    side.onEvent(() => {});
    carrier.refuse = true;
    await expect(side.dial(dial("verify"))).rejects.toThrow("refused");
    carrier.listener({ type: "ringing", callId: "verify" });
    expect(mainEvents).toEqual(["verify"]);
  });
});
