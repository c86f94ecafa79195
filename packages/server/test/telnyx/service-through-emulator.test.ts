import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { describeWith, SHARED_SPECS } from "../helpers/prerequisites.ts";
import { pollUntilFinal, startTelnyxTestService, type TestService } from "../helpers/service.ts";
import { startTelnyxEmulator, type TelnyxEmulator } from "../telnyx-emulator/emulator.ts";

describeWith(SHARED_SPECS, "the service on CLAWCALL_CARRIER=telnyx against the emulator", () => {
  let emulator: TelnyxEmulator;
  let service: TestService;
  beforeAll(async () => {
    emulator = await startTelnyxEmulator({
      apiKey: "KEYtest",
      timings: { ringMs: 300, noAnswerMs: 1500, dropAfterMs: 600 },
    });
    service = await startTelnyxTestService(emulator, {
      engine: new ListeningEngine({ talkSeconds: 1 }),
      apiKey: "KEYtest",
      callerNumbers: 8,
    });
  });
  afterAll(async () => {
    await service?.dispose();
    await emulator?.close();
  });

  it("every network outcome of spec/sandbox.md maps to the same result as on the direct sandbox", async () => {
    const expected: Record<string, { failReason?: string; outcome: string }> = {
      "0100": { outcome: "answered" },
      "0101": { failReason: "busy", outcome: "busy" },
      "0102": { failReason: "no_answer", outcome: "no_answer" },
      "0103": { failReason: "call_rejected", outcome: "rejected" },
      "0104": { failReason: "invalid_number", outcome: "invalid_number" },
      "0105": { failReason: "unreachable", outcome: "unreachable" },
      "0107": { failReason: "network_error", outcome: "network_error" },
    };
    const results = await Promise.all(
      Object.entries(expected).map(async ([line, want]) => {
        const created = await service.request("POST", "/call", {
          body: { to: `+1212555${line}`, task: "Check hours." },
        });
        expect(created.status, line).toBe(201);
        // Well inside the test's own limit, so a call that never ends is named with its webhooks.
        const { call } = await pollUntilFinal(service, created.body.api_key, created.body.call_id, {
          timeoutMs: 20_000,
        }).catch((error: Error) => {
          const undelivered = emulator.webhooks
            .filter((w) => w.status !== 200)
            .map((w) => `${w.eventType} to ${w.callControlId}: ${w.status ?? "in flight"}`);
          throw new Error(
            `${line}: ${error.message}; webhooks not taken: ${undelivered.join(", ") || "none"}`,
          );
        });
        return { line, want, got: { failReason: call.failReason, outcome: call.outcome } };
      }),
    );
    for (const r of results) expect({ line: r.line, ...r.got }).toEqual({ line: r.line, ...r.want });
    const refused = await service.request("POST", "/call", { body: { to: "+12125550106", task: "x" } });
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe("dial_failed");
    expect(emulator.violations).toEqual([]);
  });
});

describeWith(
  SHARED_SPECS,
  "carrier signals after answer reach the conversation, even one that starts listening late",
  () => {
    it("0108: the late verdict and the beep reach the engine once it listens; the recording follows the end", async () => {
      const emulator = await startTelnyxEmulator({
        apiKey: "KEYtest",
        timings: { ringMs: 200, noAnswerMs: 1500, dropAfterMs: 600, amdMs: 1500, recordingDelayMs: 2000 },
      });
      const engine = new ListeningEngine({ talkSeconds: 4, signalsAfterMs: 2500 });
      const service = await startTelnyxTestService(emulator, { engine, apiKey: "KEYtest", callerNumbers: 2 });
      try {
        const created = await service.request("POST", "/call", {
          body: { to: "+12125550108", task: "Leave a message about the delivery." },
        });
        expect(created.status).toBe(201);
        const key = created.body.api_key;
        const { call } = await pollUntilFinal(service, key, created.body.call_id, { timeoutMs: 15_000 });
        // Telnyx saves the recording after the hang-up: the final result says it is on its way.
        expect(call.recordingUrl).toBeNull();
        expect(call._meta.recording_pending).toBe(true);
        await vi.waitFor(
          async () => {
            const later = await service.request("GET", `/call/${created.body.call_id}`, { key });
            expect(later.body.recordingUrl).toMatch(/^http/);
            expect(later.body._meta.recording_pending).toBe(false);
          },
          { timeout: 10_000, interval: 200 },
        );
        // The conversation started before machine detection decided, so it began with "unknown".
        expect(engine.answered.map((c) => c.answeredBy)).toEqual(["unknown"]);
        const signals = engine.signals.get(created.body.call_id) ?? [];
        expect(signals).toContainEqual({ type: "answered_by", answeredBy: "machine" });
        expect(signals).toContainEqual({ type: "beep" });
        expect(emulator.violations).toEqual([]);
      } finally {
        await service.dispose();
        await emulator.close();
      }
    });
  },
);
