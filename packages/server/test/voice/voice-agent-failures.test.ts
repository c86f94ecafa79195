import { describe, expect, it } from "vitest";
import { createVoiceAgentEngine } from "../../src/agent/voice-agent-engine.ts";
import { sineMulaw } from "../../src/voice/synth.ts";
import { REAL_TIME } from "../helpers/real-time.ts";
import { FakeStt, ScriptedLlm, sleep, ToneTts } from "./fakes.ts";
import { type Scenario, startCall } from "./harness.ts";

type Cleanup = (fn: () => Promise<void>) => void;
function call(s: Scenario, onTestFinished: Cleanup) {
  const c = startCall({
    ...s,
    request: { task: "Remind Sam Rivera about the dentist on Friday.", ...s.request },
  });
  onTestFinished(() => c.finish());
  return c;
}

describe.concurrent("voice agent: failures and machines", REAL_TIME, () => {
  it("ends with a clear reason, not a made-up reply, when the model fails", async ({ onTestFinished }) => {
    const c = call({ script: () => ({ error: "upstream 503" }) }, onTestFinished);
    c.callee.say("Hello?", 500);
    await c.callee.agentFinished();
    c.callee.say("Who is this?", 600);
    const result = await c.result;
    expect(result.endReason).toBe("the language model failed");
    const said = c.transcript.filter((e) => e.role === "assistant").map((e) => e.text);
    expect(said).toHaveLength(2);
    expect(said[1]).toMatch(/technical trouble/);
    expect(c.fake.hangups).toBe(1);
  });

  it("on an answering machine says nothing until the beep, and hangs up when the task says no message", async ({
    onTestFinished,
  }) => {
    const c = call(
      {
        answeredBy: "machine",
        request: { task: "Ask Sam to call back. If you reach voicemail, do not leave a message." },
        script: () => ({ tools: [{ name: "end_call", args: { reason: "voicemail, no message per task" } }] }),
      },
      onTestFinished,
    );
    c.callee.say("The person you are calling is not available.", 1500);
    await sleep(1900);
    expect(c.callee.heardFrames).toBe(0);
    expect(c.llm.calls).toHaveLength(0);
    c.callee.play(sineMulaw(850, 400, 6000));
    const result = await c.result;
    expect(c.llm.calls).toHaveLength(1);
    expect(c.callee.heardFrames).toBe(0);
    expect(result.endReason).toBe("agent ended the call: voicemail, no message per task");
    expect(c.transcript.filter((e) => e.role === "system").map((e) => e.text)).toEqual([
      "Voicemail detected (answering machine detected).",
      "Leaving a voicemail message (the beep was heard).",
    ]);
  });

  it("talks to a person whom machine detection took for an answering machine", async ({ onTestFinished }) => {
    const c = call({ answeredBy: "machine", script: () => ({ text: "Great, thank you." }) }, onTestFinished);
    c.callee.say("Hello?", 500);
    await c.callee.agentSpeaks();
    expect(c.tts.requests[0]!.text).toMatch(/^Hello\b/);
    expect(c.llm.calls).toHaveLength(0);
    expect(c.transcript.map((e) => e.role).slice(0, 3)).toEqual(["system", "user", "system"]);
    expect(c.transcript[2]!.text).toBe("A person answered after all.");
  });

  it("gives up on a hold queue that outlasts the hold budget", async ({ onTestFinished }) => {
    const c = call({ script: () => ({ text: "Hello." }), settings: { holdBudgetMs: 1500 } }, onTestFinished);
    c.callee.say("Thank you for calling. All of our agents are currently busy. Please hold.", 1500);
    const result = await c.result;
    expect(c.llm.calls).toHaveLength(0);
    expect(result.endReason).toMatch(/^gave up waiting on hold after \d+ seconds$/);
    expect(c.transcript.at(-1)).toMatchObject({ role: "assistant" });
  });

  it("stops at once and reports the hang-up when the callee hangs up mid-reply", async ({
    onTestFinished,
  }) => {
    const c = call(
      {
        script: () => ({
          text: "Let me explain everything about the appointment in great detail, starting now.",
        }),
      },
      onTestFinished,
    );
    c.callee.say("Hello?", 500);
    await c.callee.agentFinished();
    c.callee.say("Go ahead.", 500);
    await c.callee.agentSpeaks(performance.now() + 500);
    await sleep(300);
    c.fake.calleeHangsUp();
    const result = await c.result;
    expect(result.endReason).toBe("the other party hung up");
    expect(c.fake.hangups).toBe(0);
    // Only what was played before the hang-up counts as said.
    const full = "Let me explain everything about the appointment in great detail, starting now.";
    const said = c.transcript.filter((e) => e.role === "assistant").map((e) => e.text);
    expect(said).not.toContain(full);
  });
});

describe("voice agent engine: sessions opened while ringing", () => {
  it("opens the recogniser at prepare and closes it when the call is never answered", async () => {
    const stt = new FakeStt();
    let closed = 0;
    const open = stt.open.bind(stt);
    stt.open = async (o) => {
      const s = await open(o);
      return {
        write: (a) => s.write(a),
        flush: () => s.flush(),
        close: async () => {
          closed++;
          await s.close();
        },
      };
    };
    const engine = createVoiceAgentEngine({ stt, llm: new ScriptedLlm(() => ({})), tts: new ToneTts() });
    engine.prepare?.("ringing-1", { to: "+12125550102", task: "Say hi." });
    expect(stt.opened).toBe(1);
    engine.release("ringing-1");
    await sleep(10);
    expect(closed).toBe(1);
    await engine.close();
  });
});
