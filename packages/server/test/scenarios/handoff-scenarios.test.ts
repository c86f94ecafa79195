import { beforeAll, describe, expect, it } from "vitest";
import { REAL_TIME } from "../helpers/real-time.ts";
import { index as at, ScenarioCalls, said, scenarioService, story } from "./scenario-checks.ts";
import { scriptedAgentModel } from "./scripted-model.ts";

/** Seconds of audio in a WAV file (8 kHz, two 16-bit channels, after a 44-byte header). */
const wavSeconds = (bytes: number) => (bytes - 44) / (8000 * 2 * 2);

/**
 * Live handoffs at the README's default sandbox timings (a five-second ring; the bridge answers after
 * one ring, and nobody answers 0117 for six), with the scripted model and the listening callees.
 */
describe("handoffs at the sandbox's default timings", () => {
  // No ring override: the defaults are what is judged here.
  const { service } = scenarioService(scriptedAgentModel, { CLAWCALL_SANDBOX_RING_SECONDS: "5" });
  const calls = new ScenarioCalls(service);
  beforeAll(() => calls.prepare(["0100>0112", "0100>0117"]));

  describe.concurrent("", REAL_TIME, () => {
    it("0112: the user is connected, the two parties talk, and the call ends as a completed handoff", async ({
      onTestFailed,
    }) => {
      const call = await calls.get("0100>0112", onTestFailed);
      const t = call.transcript;
      expect(call.status, story(call)).toBe("completed");
      expect(call.outcome).toBe("answered");
      expect(call.outcome_detail.reason.code).toBe("handoff_completed");
      expect(call.handoff).toMatchObject({ status: "connected", at: expect.any(String) });
      expect(call.handoff.ring_seconds).toBeGreaterThan(0);
      // The user's phone showed one of the service's numbers: the call's own caller id.
      expect(call.numbers.bridge_from).toBe(call.numbers.from);

      const connect = at(t, (e) => e.role === "tool" && e.tool === "connect_user");
      const connected = said(t, "system", /user was connected/);
      expect(connect, story(call)).toBeGreaterThan(0);
      expect(connected).toBeGreaterThan(connect);
      // The other party was asked to hold and said it would; the agent never hung up on them.
      expect(said(t, "assistant", /connecting .*hold/i)).toBeLessThan(connect);
      expect(said(t, "user", /I will hold/)).toBeGreaterThan(connect);
      expect(t.filter((e) => e.tool === "end_call")).toEqual([]);
      expect(t.slice(connected + 1).filter((e) => e.role === "assistant")).toEqual([]);

      // Once bridged, the user greeted the front desk, which answered, and heard what it said.
      expect(call._meta.sandbox?.verdict.actions).toEqual([
        { action: "confirmed", appointment: "Jordan Lee 2026-03-03 10:00" },
      ]);
      expect(call._meta.sandbox?.bridged?.actions).toEqual([
        { action: "talked", heard: expect.stringMatching(/How can I help you/) },
      ]);
      // Their talk is in the recording, which runs on past the moment the agent left.
      const wav = Buffer.from(await (await fetch(call.recordingUrl)).arrayBuffer());
      const joinedAfter =
        (Date.parse(call.handoff.at) - Date.parse(call.timestamps.answered_at)) / 1000 +
        call.handoff.ring_seconds;
      expect(wavSeconds(wav.length)).toBeGreaterThan(joinedAfter + 2);
    }, 150_000);

    it("0117: while nobody answers the agent keeps the line, then tells the other party and ends politely", async ({
      onTestFailed,
    }) => {
      const call = await calls.get("0100>0117", onTestFailed);
      const t = call.transcript;
      expect(call.status, story(call)).toBe("completed");
      expect(call.handoff).toMatchObject({ status: "no_answer", at: expect.any(String) });
      expect(call.handoff.ring_seconds).toBeGreaterThanOrEqual(25);
      expect(call.numbers.bridge_from).toBe(call.numbers.from);

      const connect = at(t, (e) => e.role === "tool" && e.tool === "connect_user");
      const failed = said(t, "system", /handoff failed \(no_answer\)/);
      expect(connect, story(call)).toBeGreaterThan(0);
      expect(failed, story(call)).toBeGreaterThan(connect);
      // While the phone rang, the other party kept hearing from the agent and never had to ask.
      const ringing = t.slice(connect + 1, failed);
      expect(ringing.some((e) => e.role === "assistant" && /still connecting/i.test(e.text))).toBe(true);
      expect(ringing.filter((e) => /still there/i.test(e.text))).toEqual([]);
      // Told at once, then the model's polite end.
      const told = said(t, "assistant", /didn't pick up/);
      expect(told, story(call)).toBeGreaterThan(failed);
      const ended = at(t, (e) => e.tool === "end_call");
      expect(ended).toBeGreaterThan(told);
      expect(t[ended]?.toolArgs).toEqual({ reason: "handoff failed" });
    }, 150_000);
  });
});
