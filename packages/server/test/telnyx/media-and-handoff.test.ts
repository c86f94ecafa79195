import { afterAll, beforeAll, expect, it, vi } from "vitest";
import WebSocket from "ws";
import type { MediaStream } from "../../src/media/media-stream.ts";
import type { CarrierEvent } from "../../src/telephony/carrier.ts";
import { MEDIA_MESSAGE_LIMIT } from "../../src/telephony/telnyx/routes.ts";
import { describeWith, SHARED_SPECS } from "../helpers/prerequisites.ts";
import type { CalleeFactory } from "../telnyx-emulator/callee.ts";
import { scriptedCallee } from "../telnyx-emulator/callee.ts";
import { type Harness, isHangup, isType, startHarness } from "./harness.ts";

describeWith(SHARED_SPECS, "Telnyx media stream, keypad and handoff", () => {
  let h: Harness;
  let agentFramesHeard = 0;
  const counting: CalleeFactory = (ctx) => {
    const inner = scriptedCallee()(ctx);
    return {
      ...inner,
      hearAgent: (f) => {
        agentFramesHeard++;
        inner.hearAgent(f);
      },
    };
  };
  beforeAll(async () => {
    h = await startHarness({ calleeFactory: counting, timings: { ringMs: 100, noAnswerMs: 300 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  let n = 0;
  async function answeredCall(): Promise<{ callId: string; stream: MediaStream }> {
    const callId = `media-${++n}`;
    await h.carrier.dial(h.dialRequest(callId, "+12125550100"));
    const { stream } = await h.waitFor(isType(callId, "media"));
    return { callId, stream };
  }

  it("refuses a media WebSocket without the call's stream token", async () => {
    const { callId } = await answeredCall();
    const url = `${h.baseUrl.replace("http", "ws")}/telnyx/media/${callId}?token=wrong`;
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on("error", () => {});
      ws.once("unexpected-response", (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once("open", () => {
        resolve(101);
        ws.close();
      });
    });
    expect(status).toBe(401);
    await h.carrier.hangup(callId);
  });

  it("closes a media socket that sends a message far larger than any Telnyx sends", async () => {
    const { callId, stream } = await answeredCall();
    const call = [...h.emulator.calls.values()].find((c) => c.body.stream_url?.includes(`/${callId}?`));
    // A second socket for the call takes the stream over, as a reconnecting Telnyx would.
    const ws = new WebSocket(call?.body.stream_url ?? "", {
      headers: { "x-telnyx-streaming-auth-token": call?.body.stream_auth_token ?? "" },
    });
    ws.on("error", () => {});
    await new Promise((resolve) => ws.once("open", resolve));
    const code = new Promise<number>((resolve) => ws.once("close", resolve));
    ws.send(JSON.stringify({ event: "start", stream_id: "second", start: { call_control_id: callId } }));
    const isMedia = isType(callId, "media");
    const { stream: replacement } = await h.waitFor(
      (e): e is Extract<CarrierEvent, { type: "media" }> => isMedia(e) && e.stream !== stream,
    );
    const dropped = new Promise<string>((resolve) =>
      replacement.attach({ onAudio: () => {}, onClose: resolve }),
    );
    ws.send(JSON.stringify({ event: "media", media: { payload: "A".repeat(MEDIA_MESSAGE_LIMIT) } }));
    expect(await code).toBe(1009);
    // The call is still up, so the session hears a dropped stream rather than a hang-up.
    expect(await dropped).toBe("dropped");
    await h.carrier.hangup(callId);
  });

  it("a mark is reported once the audio before it has played out on the far end", async () => {
    const { callId, stream } = await answeredCall();
    const marks: string[] = [];
    let heardAtMark = -1;
    stream.attach({
      onAudio: () => {},
      onMark: (m) => {
        marks.push(m);
        heardAtMark = agentFramesHeard;
      },
    });
    const before = agentFramesHeard;
    stream.send(new Uint8Array(160 * 10).fill(0x7f));
    stream.mark("greeting-done");
    await vi.waitFor(() => expect(marks).toEqual(["greeting-done"]), { timeout: 3000 });
    expect(heardAtMark - before).toBeGreaterThanOrEqual(10);
    await h.carrier.hangup(callId);
  });

  it("clear drops unplayed audio and its pending marks are never reported", async () => {
    const { callId, stream } = await answeredCall();
    const marks: string[] = [];
    stream.attach({ onAudio: () => {}, onMark: (m) => marks.push(m) });
    stream.send(new Uint8Array(8000 * 5).fill(0x7f));
    stream.mark("long-reply");
    stream.clear();
    stream.mark("after-clear");
    await vi.waitFor(() => expect(marks).toContain("after-clear"), { timeout: 3000 });
    expect(marks).toEqual(["after-clear"]);
    await h.carrier.hangup(callId);
  });

  it("send_dtmf reaches the callee, and the callee's keypad reaches the session as digits", async () => {
    const { callId, stream } = await answeredCall();
    const digits: string[] = [];
    stream.attach({ onAudio: () => {}, onDigit: (d) => digits.push(d) });
    await h.carrier.sendDigits(callId, "1w2#");
    const call = [...h.emulator.calls.values()].find((c) => c.body.client_state && c.phase === "answered");
    await vi.waitFor(() => expect(digits).toEqual(["1", "2", "#"]), { timeout: 3000 });
    expect(call?.digitsReceived).toContain("12#");
    await h.carrier.hangup(callId);
  });

  it("handoff to a person who answers succeeds and the agent's stream leaves", async () => {
    const { callId, stream } = await answeredCall();
    const closed = new Promise<string>((resolve) => stream.attach({ onAudio: () => {}, onClose: resolve }));
    const result = await h.carrier.bridge(callId, "+12125550112", "+12125550199");
    expect(result).toEqual({ ok: true });
    expect(await closed).toBe("hangup");
    await h.carrier.hangup(callId);
    expect(await h.waitFor(isHangup(callId))).toMatchObject({ cause: "normal" });
  });

  it("handoff to nobody reports no_answer and the call carries on", async () => {
    const { callId, stream } = await answeredCall();
    stream.attach({ onAudio: () => {} });
    const result = await h.carrier.bridge(callId, "+12125550117", "+12125550199");
    expect(result).toMatchObject({ ok: false, reason: "no_answer" });
    await expect(h.carrier.sendDigits(callId, "5")).resolves.toBeUndefined();
    await h.carrier.hangup(callId);
    await h.waitFor(isHangup(callId));
  });

  it("handoff to a busy line reports busy", async () => {
    const { callId, stream } = await answeredCall();
    stream.attach({ onAudio: () => {} });
    expect(await h.carrier.bridge(callId, "+12125550101", "+12125550199")).toMatchObject({
      ok: false,
      reason: "busy",
    });
    await h.carrier.hangup(callId);
  });

  it("no request or webhook broke Telnyx's spec", async () => {
    await h.emulator.settled();
    expect(h.emulator.requests.some((r) => r.operationId === "TransferCall")).toBe(true);
    expect(h.emulator.requests.some((r) => r.operationId === "SendDTMF")).toBe(true);
    expect(h.emulator.violations).toEqual([]);
  });
});
