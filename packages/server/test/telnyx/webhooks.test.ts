import { generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { encodeClientState } from "../../src/telephony/telnyx/client-state.ts";
import { describeWith, SHARED_SPECS } from "../helpers/prerequisites.ts";
import { webhookEnvelope } from "../telnyx-emulator/webhook-sender.ts";
import { type Harness, isType, startHarness } from "./harness.ts";

describeWith(SHARED_SPECS, "Telnyx webhooks: verification, de-duplication, ordering", () => {
  let h: Harness;
  beforeAll(async () => {
    // Calls ring for a minute, so only the webhooks these tests send move them.
    h = await startHarness({ timings: { ringMs: 60_000, noAnswerMs: 60_000 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  let n = 0;
  async function ringingCall(): Promise<string> {
    const callId = `wh-${++n}`;
    await h.carrier.dial(h.dialRequest(callId, "+12125550100"));
    await h.waitFor(isType(callId, "ringing"));
    return callId;
  }

  function event(callId: string, type: string, extra: Record<string, unknown> = {}, id = randomUUID()) {
    return webhookEnvelope(
      type,
      { call_control_id: "v3:x", client_state: encodeClientState({ callId, leg: "main" }), ...extra },
      id,
    );
  }

  function post(callId: string, raw: string, headers: Record<string, string>) {
    return h.app.inject({ method: "POST", url: `/telnyx/webhook/${callId}`, payload: raw, headers });
  }

  function postSigned(callId: string, body: object, timestamp?: string) {
    const s = h.emulator.signer.signed(body, timestamp);
    return post(callId, s.raw, s.headers);
  }

  const eventsOf = (callId: string, type: string) =>
    h.events.filter((e) => e.callId === callId && e.type === type);

  it("a missing signature is refused with 401 invalid_signature and changes nothing", async () => {
    const callId = await ringingCall();
    const raw = JSON.stringify(event(callId, "call.answered"));
    const res = await post(callId, raw, { "content-type": "application/json" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: "invalid_signature" } });
    expect(eventsOf(callId, "answered")).toHaveLength(0);
  });

  it("a signature from another key is refused", async () => {
    const callId = await ringingCall();
    const raw = JSON.stringify(event(callId, "call.answered"));
    const ts = String(Math.floor(Date.now() / 1000));
    const other = generateKeyPairSync("ed25519").privateKey;
    const sig = sign(null, Buffer.from(`${ts}|${raw}`), other).toString("base64");
    const res = await post(callId, raw, {
      "content-type": "application/json",
      "telnyx-timestamp": ts,
      "telnyx-signature-ed25519": sig,
    });
    expect(res.statusCode).toBe(401);
    expect(eventsOf(callId, "answered")).toHaveLength(0);
  });

  it("an old timestamp is refused even when correctly signed", async () => {
    const callId = await ringingCall();
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const res = await postSigned(callId, event(callId, "call.answered"), old);
    expect(res.statusCode).toBe(401);
    expect(eventsOf(callId, "answered")).toHaveLength(0);
  });

  it("a replayed event id is acknowledged but not applied twice", async () => {
    const callId = await ringingCall();
    const answered = event(callId, "call.answered");
    expect((await postSigned(callId, answered)).statusCode).toBe(200);
    const hangup = event(callId, "call.hangup", { hangup_cause: "normal_clearing", sip_hangup_cause: "200" });
    expect((await postSigned(callId, hangup)).statusCode).toBe(200);
    expect((await postSigned(callId, hangup)).statusCode).toBe(200);
    expect(eventsOf(callId, "hangup")).toHaveLength(1);
  });

  it("streaming.failed under an answered call whose stream never reached us is told once, as a failed media path", async () => {
    const callId = await ringingCall();
    expect((await postSigned(callId, event(callId, "call.answered"))).statusCode).toBe(200);
    const failed = { failure_reason: "connection_failed" };
    expect((await postSigned(callId, event(callId, "streaming.failed", failed))).statusCode).toBe(200);
    expect((await postSigned(callId, event(callId, "streaming.failed", failed))).statusCode).toBe(200);
    expect(eventsOf(callId, "media_failed")).toHaveLength(1);
    // Before the answer it means nothing yet: the call is not live.
    const ringing = await ringingCall();
    await postSigned(ringing, event(ringing, "streaming.failed", failed));
    expect(eventsOf(ringing, "media_failed")).toHaveLength(0);
  });

  it("a storm of duplicates (same ids and fresh ids) makes one state change each", async () => {
    const callId = await ringingCall();
    const answered = event(callId, "call.answered");
    const storm = [];
    for (let i = 0; i < 25; i++) {
      storm.push(postSigned(callId, answered));
      storm.push(postSigned(callId, event(callId, "call.answered")));
    }
    const hangup = event(callId, "call.hangup", { hangup_cause: "normal_clearing", sip_hangup_cause: "200" });
    for (let i = 0; i < 25; i++) storm.push(postSigned(callId, hangup));
    const results = await Promise.all(storm);
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(eventsOf(callId, "answered")).toHaveLength(1);
    expect(eventsOf(callId, "hangup")).toHaveLength(1);
  });

  it("a hang-up that overtakes its answer ends the call once; the late answer is ignored", async () => {
    const callId = await ringingCall();
    await postSigned(
      callId,
      event(callId, "call.hangup", {
        hangup_cause: "normal_clearing",
        sip_hangup_cause: "200",
        hangup_source: "callee",
      }),
    );
    await postSigned(callId, event(callId, "call.answered"));
    expect(eventsOf(callId, "answered")).toHaveLength(0);
    expect(eventsOf(callId, "hangup")).toEqual([
      expect.objectContaining({ cause: "normal", source: "callee", carrierCause: "normal_clearing" }),
    ]);
  });

  it("a recording that arrives after the hang-up is still delivered, once", async () => {
    const callId = await ringingCall();
    await postSigned(callId, event(callId, "call.answered"));
    await postSigned(callId, event(callId, "call.hangup", { hangup_cause: "normal_clearing" }));
    const saved = () =>
      event(callId, "call.recording.saved", { recording_urls: { mp3: "https://rec.example/r.mp3" } });
    await postSigned(callId, saved());
    await postSigned(callId, saved());
    expect(eventsOf(callId, "recording")).toEqual([
      expect.objectContaining({ url: "https://rec.example/r.mp3", expiresAt: expect.any(Date) }),
    ]);
  });

  it("events for unknown calls, or whose signed call id disagrees with the URL, are acknowledged and ignored", async () => {
    const callId = await ringingCall();
    const before = h.events.length;
    expect((await postSigned("no-such-call", event("no-such-call", "call.answered"))).statusCode).toBe(200);
    expect((await postSigned(callId, event("another-call", "call.answered"))).statusCode).toBe(200);
    expect(h.events.length).toBe(before);
  });

  it("a signed body that is not a Telnyx event is a 400", async () => {
    const callId = await ringingCall();
    const res = await postSigned(callId, { hello: "world" });
    expect(res.statusCode).toBe(400);
  });
});
