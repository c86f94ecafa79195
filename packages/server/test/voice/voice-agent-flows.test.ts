import { describe, expect, it } from "vitest";
import { createVoiceAgentEngine } from "../../src/agent/voice-agent-engine.ts";
import { lineNoiseMulaw, sineMulaw, speechLikeMulaw } from "../../src/voice/synth.ts";
import { REAL_TIME } from "../helpers/real-time.ts";
import { fakeAnsweredCall, sleep } from "./fakes.ts";
import { lastUserText, type Scenario, startCall } from "./harness.ts";

type Cleanup = (fn: () => Promise<void>) => void;
function call(s: Scenario, onTestFinished: Cleanup) {
  const c = startCall({
    ...s,
    request: { task: "Book a table for two at seven tonight for Sam Rivera.", ...s.request },
  });
  onTestFinished(() => c.finish());
  return c;
}

describe.concurrent("voice agent: menus, hold, handoff and limits", REAL_TIME, () => {
  it("answers a menu with its digit at once, then speaks the opening to the person behind it", async ({
    onTestFinished,
  }) => {
    const c = call(
      {
        script: (messages) =>
          lastUserText(messages).includes("press 1")
            ? { tools: [{ name: "press_digits", args: { digits: "1" } }] }
            : { text: "I'd like to book a table for two at seven tonight." },
      },
      onTestFinished,
    );
    c.callee.say("Thanks for calling. For reservations press 1, for hours press 2.", 900);
    for (let i = 0; i < 100 && c.callee.digits.length === 0; i++) await sleep(50);
    expect(c.callee.digits).toEqual(["1"]);
    expect(c.fake.sentDigits).toEqual(["w1"]);
    // No opening line over the menu prompt, and the first model call already pressed the key.
    expect(c.callee.heardFrames).toBe(0);
    expect(c.llm.calls).toHaveLength(1);
    expect(c.transcript.map((e) => e.role)).toEqual(["user", "system", "tool"]);
    expect(c.transcript.at(-1)).toMatchObject({ tool: "press_digits", toolArgs: { digits: "1" } });

    c.callee.say("Reservations, this is Maria. How can I help?", 1000);
    await c.callee.agentSpeaks();
    await c.callee.agentFinished();
    const opening = c.transcript.filter((e) => e.role === "assistant")[0]!.text;
    expect(opening).toContain("on behalf of Sam Rivera");
    expect(opening).toContain("AI assistant");
    // The person got the opening, not a model reply.
    expect(c.llm.calls).toHaveLength(1);
  });

  it("waits on hold without model calls until a person speaks", async ({ onTestFinished }) => {
    const c = call(
      { script: () => ({ text: "Hi, I'd like to book a table for two at seven." }) },
      onTestFinished,
    );
    c.callee.say("Hello?", 500);
    await c.callee.agentFinished();
    c.callee.say("Please hold.", 600);
    await sleep(1200);
    // Hold music, then the queue announcement, then more music.
    c.callee.play(speechLikeMulaw(2000, 11, 3000));
    await sleep(2300);
    c.callee.say("Your call is important to us, please continue to hold.", 1500);
    await sleep(1800);
    c.callee.play(sineMulaw(440, 1500, 3000));
    await sleep(2000);
    expect(c.llm.calls).toHaveLength(0);
    expect(c.transcript.some((e) => e.role === "system" && /on hold/i.test(e.text))).toBe(true);
    c.callee.say("Hi, thanks for waiting, this is Maria. How can I help?", 1200);
    await c.callee.agentSpeaks(performance.now() + 1200);
    expect(c.llm.calls).toHaveLength(1);
    expect(lastUserText(c.llm.calls[0]!.messages)).toContain("this is Maria");
    expect(c.transcript.some((e) => e.role === "system" && /person is on the line/i.test(e.text))).toBe(true);
  });

  it("connects the user and leaves the call without hanging up", async ({ onTestFinished }) => {
    const c = call(
      {
        request: { bridge_number: "+12125550112" },
        script: (messages) =>
          lastUserText(messages).includes("put you through")
            ? { tools: [{ name: "connect_user" }] }
            : { text: "Okay." },
        bridgeResult: { ok: true },
      },
      onTestFinished,
    );
    c.callee.say("Hello?", 500);
    await c.callee.agentFinished();
    c.callee.say("I can put you through to the manager.", 900);
    const result = await c.result;
    expect(c.llm.calls[0]!.toolNames).toContain("connect_user");
    expect(result.endReason).toBe("connected the user (live handoff)");
    expect(c.fake.bridges).toBe(1);
    expect(c.fake.hangups).toBe(0);
    expect(c.transcript.map((e) => e.role).slice(-3)).toEqual(["assistant", "tool", "system"]);
    expect(c.transcript.at(-3)!.text).toMatch(/connecting you/i);
  });

  it("reports a failed handoff to the model and to the transcript, then carries on", async ({
    onTestFinished,
  }) => {
    const c = call(
      {
        request: { bridge_number: "+12125550117" },
        script: (messages) => {
          // The agent has already told the other party; the model then ends the call.
          if (messages.some((m) => m.role === "tool"))
            return {
              text: "I'll let them know you called. Goodbye.",
              tools: [{ name: "end_call", args: { reason: "handoff failed" } }],
            };
          return { text: "Let me connect you now.", tools: [{ name: "connect_user" }] };
        },
        bridgeResult: { ok: false, reason: "no_answer", message: "nobody answered the bridge" },
      },
      onTestFinished,
    );
    c.callee.say("Hello?", 500);
    await c.callee.agentFinished();
    c.callee.say("Sure, go ahead and connect them.", 900);
    const result = await c.result;
    expect(c.fake.bridges).toBe(1);
    // The model learns why, after the other party was told the user did not pick up.
    const second = c.llm.calls[1]!.messages;
    const told = second.findIndex((m) => m.role === "tool" && m.content.includes("no_answer"));
    expect(told).toBeGreaterThan(0);
    expect(second.slice(told + 1)).toMatchObject([
      { role: "assistant", content: expect.stringMatching(/didn't pick up/i) },
      { role: "user", content: expect.stringMatching(/could not be connected/) },
    ]);
    expect(
      c.transcript.some((e) => e.role === "system" && e.text.includes("nobody answered the bridge")),
    ).toBe(true);
    expect(result.endReason).toBe("agent ended the call: handoff failed");
    expect(c.transcript.filter((e) => e.role === "tool").map((e) => e.tool)).toEqual([
      "connect_user",
      "end_call",
    ]);
  });

  it("ends a silent line with a goodbye", async ({ onTestFinished }) => {
    const c = call({ script: () => ({ text: "Hello?" }), settings: { silentLineMs: 1500 } }, onTestFinished);
    c.callee.play(lineNoiseMulaw(8000));
    const result = await c.result;
    expect(result.endReason).toBe("the line was silent");
    expect(c.llm.calls).toHaveLength(0);
    expect(c.fake.hangups).toBe(1);
    const said = c.transcript.filter((e) => e.role === "assistant").map((e) => e.text);
    expect(said).toHaveLength(2);
    expect(said[0]).toContain("AI assistant");
    expect(said[1]).toMatch(/goodbye/i);
  });

  it("ends the call gracefully when the caller's talk time runs out", async ({ onTestFinished }) => {
    const c = call(
      {
        maxTalkSeconds: 6,
        script: () => ({
          text: "That's great to hear. Let me go over all of the details one more time, slowly and carefully, so that nothing gets lost between us today.",
        }),
      },
      onTestFinished,
    );
    c.callee.say("Hello?", 400);
    await c.callee.agentFinished();
    c.callee.say("Yes, tell me more please.", 600);
    const result = await c.result;
    expect(result.endReason).toBe("the caller's remaining talk time ran out");
    expect(c.transcript.at(-1)).toMatchObject({ role: "assistant" });
    expect(c.transcript.at(-1)!.text).toMatch(/end the call now/);
    expect(c.fake.hangups).toBe(1);
  });

  it("waits for the voicemail beep, then leaves the message", async ({ onTestFinished }) => {
    const c = call(
      {
        answeredBy: "unknown",
        script: () => ({
          text: "Please call back to confirm the table for two at seven.",
          tools: [{ name: "end_call", args: { reason: "left message" } }],
        }),
      },
      onTestFinished,
    );
    c.callee.say("Hi, you've reached Sam. Please leave a message after the tone.", 1800);
    await sleep(2200);
    expect(c.llm.calls).toHaveLength(0);
    const beepAt = performance.now();
    c.callee.play(sineMulaw(1000, 500, 6000));
    const result = await c.result;
    expect(c.llm.calls).toHaveLength(1);
    expect(c.llm.calls[0]!.startedAt).toBeGreaterThan(beepAt);
    expect(result.endReason).toBe("agent ended the call: left message");
    const roles = c.transcript.map((e) => e.role);
    expect(roles.slice(0, 2)).toEqual(["user", "system"]);
    const message = c.transcript.find((e) => e.role === "assistant")!.text;
    expect(message).toContain("AI assistant");
    expect(message).toContain("Please call back to confirm");
  });

  it("a late machine verdict cuts the opening line short and waits for the beep", async ({
    onTestFinished,
  }) => {
    const c = call(
      {
        answeredBy: "unknown",
        script: () => ({
          text: "Please call back to confirm the table.",
          tools: [{ name: "end_call", args: { reason: "left message" } }],
        }),
      },
      onTestFinished,
    );
    // Nobody speaks, so the opening line starts; machine detection decides while it plays.
    await c.callee.agentSpeaks(0);
    c.fake.carrierSignal({ type: "answered_by", answeredBy: "machine" });
    await c.callee.agentFinished();
    expect(c.transcript.map((e) => e.text)).toContain("Voicemail detected (answering machine detected).");
    // Only what was played is in the transcript: the start of the opening line, not all of it.
    const played = c.transcript.find((e) => e.role === "assistant")?.text ?? "";
    expect(played).not.toContain("This call is recorded.");
    expect(c.llm.calls).toHaveLength(0);
    const beepAt = performance.now();
    c.callee.play(sineMulaw(1000, 500, 6000));
    const result = await c.result;
    expect(result.endReason).toBe("agent ended the call: left message");
    expect(c.llm.calls).toHaveLength(1);
    expect(c.llm.calls[0]!.startedAt).toBeGreaterThan(beepAt);
  });

  it("keeps a voicemail greeting whose words the recogniser gives only after the beep", async ({
    onTestFinished,
  }) => {
    const c = call(
      {
        answeredBy: "machine",
        sttFinalMs: 900,
        script: () => ({
          text: "Please call back to confirm the table.",
          tools: [{ name: "end_call", args: { reason: "left message" } }],
        }),
      },
      onTestFinished,
    );
    c.callee.say("Hi, you've reached Sam. Please leave a message after the tone.", 1800);
    c.callee.play(sineMulaw(1000, 500, 6000));
    const result = await c.result;
    expect(result.endReason).toBe("agent ended the call: left message");
    const texts = c.transcript.map((e) => e.text);
    const greeting = texts.indexOf("Hi, you've reached Sam. Please leave a message after the tone.");
    expect(greeting).toBeGreaterThanOrEqual(0);
    expect(greeting).toBeLessThan(texts.indexOf("Leaving a voicemail message (the beep was heard)."));
  });

  it("the carrier's beep starts the voicemail message when no beep is heard in the audio", async ({
    onTestFinished,
  }) => {
    const c = call(
      {
        answeredBy: "machine",
        script: () => ({
          text: "Please call back to confirm the table.",
          tools: [{ name: "end_call", args: { reason: "left message" } }],
        }),
        // Long enough that neither the quiet nor the wait for a beep would end the wait first.
        settings: { voicemailQuietMs: 20_000, beepWaitMs: 30_000 },
      },
      onTestFinished,
    );
    c.callee.say("Hi, you've reached Sam. Please leave a message.", 1500);
    await sleep(2500);
    expect(c.llm.calls).toHaveLength(0);
    const beepAt = performance.now();
    c.fake.carrierSignal({ type: "beep" });
    const result = await c.result;
    expect(result.endReason).toBe("agent ended the call: left message");
    expect(c.llm.calls[0]!.startedAt).toBeGreaterThanOrEqual(beepAt);
    expect(c.transcript.map((e) => e.text)).toContain("Leaving a voicemail message (the beep was heard).");
  });

  it("a late machine verdict is ignored once a conversation is under way", async ({ onTestFinished }) => {
    const c = call({ answeredBy: "unknown", script: () => ({ text: "Great, thank you." }) }, onTestFinished);
    c.callee.say("Hello?", 400);
    await c.callee.agentFinished();
    c.callee.say("Yes, how can I help you?", 900);
    for (let i = 0; i < 100 && c.llm.calls.length === 0; i++) await sleep(50);
    expect(c.llm.calls).toHaveLength(1);
    c.fake.carrierSignal({ type: "answered_by", answeredBy: "machine" });
    await c.callee.agentFinished();
    c.callee.say("Anything else?", 600);
    for (let i = 0; i < 100 && c.llm.calls.length < 2; i++) await sleep(50);
    expect(c.llm.calls).toHaveLength(2);
    expect(c.transcript.some((e) => e.text.startsWith("Voicemail detected"))).toBe(false);
  });

  it("refuses answered calls with a plain reason when no model is configured", async () => {
    const engine = createVoiceAgentEngine({ stt: null, llm: null, tts: null });
    expect(engine.unavailableReason()).toMatch(/no language model is configured/);
    const fake = fakeAnsweredCall();
    const result = await engine.run(fake.call);
    expect(result.endReason).toMatch(/no language model/);
    expect(fake.hangups).toBe(1);
    expect(fake.transcript.map((e) => e.role)).toEqual(["system"]);
    fake.dispose();
  });
});
