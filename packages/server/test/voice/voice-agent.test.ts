import { describe, expect, it } from "vitest";
import { REAL_TIME } from "../helpers/real-time.ts";
import { sleep } from "./fakes.ts";
import { lastUserText, type Scenario, startCall } from "./harness.ts";

const REQUEST = {
  task: "Confirm Jordan Lee's dental cleaning on Thursday at 3 PM. Do not agree to reschedule.",
  personality: "Alex, a friendly assistant calling on behalf of Jordan Lee.",
};

type Cleanup = (fn: () => Promise<void>) => void;

/** Starts a call that is torn down when the test finishes (tests run concurrently). */
function call(s: Scenario, onTestFinished: Cleanup) {
  const c = startCall({ ...s, request: { ...REQUEST, ...s.request } });
  onTestFinished(() => c.finish());
  return c;
}

const roles = (t: Array<{ role: string }>) => t.map((e) => e.role);

describe.concurrent("voice agent over a real-time sandbox line", REAL_TIME, () => {
  it("speaks the composed opening line before any model call, then answers through the model", async ({
    onTestFinished,
  }) => {
    const c = call(
      {
        script: (messages) =>
          lastUserText(messages).includes("what can I do")
            ? {
                text: "I'm calling to confirm Thursday at three. Thanks, goodbye!",
                tools: [{ name: "end_call", args: { reason: "confirmed" } }],
              }
            : { text: "Okay." },
      },
      onTestFinished,
    );
    c.callee.say("Hello, Smile Dental.", 700);
    await c.callee.agentSpeaks();
    expect(c.llm.calls).toHaveLength(0);
    // The recogniser opened while ringing is the one that heard the callee.
    expect(c.stt.opened).toBe(1);
    // Composed by the model while the phone rang, from the personality and the task.
    expect(c.llm.openingCalls).toHaveLength(1);
    await c.callee.agentFinished();
    expect(c.llm.calls).toHaveLength(0);
    const opening = c.transcript.find((e) => e.role === "assistant")!.text;
    expect(opening).toMatch(/^Hello, this is Alex, an AI assistant calling on behalf of Jordan Lee\./);
    expect(opening).toContain("recorded");

    c.callee.say("Sure, what can I do for you?", 900);
    const result = await c.result;
    expect(c.llm.calls).toHaveLength(1);
    expect(result.endReason).toBe("agent ended the call: confirmed");
    expect(c.fake.hangups).toBe(1);
    expect(roles(c.transcript)).toEqual(["user", "assistant", "user", "assistant", "tool"]);
    expect(c.transcript[1]!.text).toContain("AI assistant");
    expect(c.transcript[3]!.text).toBe("I'm calling to confirm Thursday at three. Thanks, goodbye!");
    expect(c.transcript[4]).toMatchObject({ tool: "end_call", toolArgs: { reason: "confirmed" } });
    // The model was told the task and what the service already said.
    const system = c.llm.calls[0]!.messages[0]!;
    expect(system.role === "system" && system.content).toContain("Do not agree to reschedule");
    expect(result.latency?.turns).toBe(2);
    // After the call the model is asked once what came of it, over the numbered transcript.
    expect(c.llm.forced).toHaveLength(1);
    expect(c.llm.forced[0]!.messages.at(-1)!.content).toContain("[4] action: end_call");
    expect(result).toMatchObject({
      result: null,
      resultUnavailable: expect.stringMatching(/expected shape/),
    });
  });

  it("streams a reply: synthesis of the first clause starts before the model has finished", async ({
    onTestFinished,
  }) => {
    const long =
      "Thanks for checking, I can confirm the details now. The appointment is on Thursday at three in the afternoon. Jordan will arrive ten minutes early to fill in the forms. Is there anything else you need from us today?";
    const c = call({ script: () => ({ text: long }) }, onTestFinished);
    c.callee.say("Hi, who is this?", 600);
    await c.callee.agentSpeaks();
    await c.callee.agentFinished();
    const before = c.tts.requests.length;
    c.callee.say("Can you tell me what this is about?", 900);
    await c.callee.agentSpeaks(performance.now() + 900);
    await c.callee.agentFinished(600);
    const llmCall = c.llm.calls[0]!;
    const replyRequests = c.tts.requests.slice(before);
    expect(replyRequests[0]!.text).toBe("Thanks for checking,");
    expect(replyRequests.length).toBeGreaterThanOrEqual(5);
    expect(llmCall.endedAt).not.toBeNull();
    expect(replyRequests[0]!.requestedAt).toBeLessThan(llmCall.endedAt!);
    expect(c.transcript.at(-1)).toMatchObject({ role: "assistant", text: long });
  });

  it("stops talking when the callee barges in and records only what was played", async ({
    onTestFinished,
  }) => {
    const long =
      "I'm calling to confirm the appointment for Jordan Lee on Thursday at three in the afternoon. Jordan asked me to mention that they will arrive a little early. They also wanted to know whether parking is available near the office. And finally they asked whether they should bring their insurance card.";
    const c = call(
      {
        script: (_m, i) => (i === 0 ? { text: long } : { text: "Of course, go ahead." }),
      },
      onTestFinished,
    );
    c.callee.say("Hello?", 500);
    await c.callee.agentFinished();
    c.callee.say("Yes, go on.", 600);
    await c.callee.agentSpeaks();
    await sleep(1500);
    c.callee.say("Sorry, let me stop you there for a second", 1200);
    // The agent falls silent (long before its reply would have ended), then answers the interruption.
    await c.callee.agentFinished();
    await c.callee.agentSpeaks();
    const assistant = c.transcript.filter((e) => e.role === "assistant");
    const cut = assistant[1]!.text;
    expect(cut.length).toBeGreaterThan(10);
    expect(cut.length).toBeLessThan(long.length / 2);
    expect(long.startsWith(cut)).toBe(true);
    // The model saw only the played part as its own words, then the interruption.
    const second = c.llm.calls[1]!.messages;
    expect(second.some((m) => m.role === "assistant" && m.content === cut)).toBe(true);
    expect(lastUserText(second)).toContain("let me stop you there");
    c.fake.calleeHangsUp();
    const result = await c.result;
    expect(result.endReason).toBe("the other party hung up");
    expect(result.latency?.barge_ins).toBe(1);
    // How fast it stopped is measured by `npm run bench`; here it is only reported.
    expect(result.latency?.barge_in_p50_ms).toEqual(expect.any(Number));
  });

  it("stops the model's reply when the callee cuts in while it is still being written", async ({
    onTestFinished,
  }) => {
    // Some 400 words: the model is still writing them seconds after the agent starts to speak.
    const rambling = Array.from(
      { length: 40 },
      (_, i) => `Point ${i + 1} of the message is here, and it goes on a little.`,
    ).join(" ");
    const c = call(
      { script: (_m, i) => (i === 0 ? { text: rambling } : { text: "Of course, go ahead." }) },
      onTestFinished,
    );
    c.callee.say("Hello?", 500);
    await c.callee.agentFinished();
    c.callee.say("Yes, go on.", 600);
    await c.callee.agentSpeaks();
    await sleep(800);
    c.callee.say("Sorry, let me stop you there for a second", 1200);
    await c.callee.agentFinished();
    await c.callee.agentSpeaks();
    // The cut reply's request was stopped, not read to its end; the next one ran its course.
    expect(c.llm.calls[0]!.aborted).toBe(true);
    expect(c.llm.calls[0]!.endedAt).toBeNull();
    expect(c.llm.calls[1]!.aborted).toBe(false);
    c.fake.calleeHangsUp();
    await c.result;
  });

  it("does not stop for a backchannel or a short sound", async ({ onTestFinished }) => {
    const text =
      "I'm calling to confirm the appointment for Jordan Lee on Thursday at three. Jordan will arrive a few minutes early and will bring the insurance card along.";
    const c = call({ script: (_m, i) => (i === 0 ? { text } : { text: "Great." }) }, onTestFinished);
    c.callee.say("Hello?", 500);
    await c.callee.agentFinished();
    c.callee.say("Yes?", 400);
    await c.callee.agentSpeaks(performance.now() + 400);
    await sleep(800);
    c.callee.say("uh-huh", 450, 60);
    await sleep(1200);
    c.callee.play(new Uint8Array(1200).fill(0x80)); // a 150 ms bump on the line
    await c.callee.agentFinished(600);
    const assistant = c.transcript.filter((e) => e.role === "assistant");
    expect(assistant[1]!.text).toBe(text);
    expect(c.transcript.some((e) => e.role === "user" && e.text === "uh-huh")).toBe(true);
    // The acknowledgement did not start a new model turn.
    expect(c.llm.calls).toHaveLength(1);
  });

  it("pauses for an acknowledgement the recogniser reports only at its end, then carries on", async ({
    onTestFinished,
  }) => {
    const text =
      "I'm calling to confirm the appointment for Jordan Lee on Thursday at three. Jordan will arrive a few minutes early and will bring the insurance card along.";
    const c = call({ script: (_m, i) => (i === 0 ? { text } : { text: "Great." }) }, onTestFinished);
    c.callee.say("Hello?", 500);
    await c.callee.agentFinished();
    c.callee.say("Yes?", 400);
    await c.callee.agentSpeaks(performance.now() + 400);
    await sleep(800);
    // No interim text: the words arrive only after the "mm-hmm" is over. Counted in the line's frames
    // (20 ms each), so a busy machine cannot shift what is checked.
    const onset = c.callee.lineFrames;
    c.callee.say("mm-hmm", 450);
    await c.callee.untilLineFrame(onset + 33);
    // The agent held its audio while the callee spoke (paused about 250 ms in, until the end of the
    // speech and the VAD's hangover, about 700 ms in)...
    const during = c.callee.heardAtFrame.filter((f) => f > onset + 20 && f < onset + 29);
    expect(during).toEqual([]);
    // ...then went on with the same reply, and the whole of it is in the transcript.
    await c.callee.agentFinished(600);
    expect(c.callee.heardAtFrame.some((f) => f > onset + 30)).toBe(true);
    const assistant = c.transcript.filter((e) => e.role === "assistant");
    expect(assistant[1]!.text).toBe(text);
    expect(c.llm.calls).toHaveLength(1);
    c.fake.calleeHangsUp();
    expect((await c.result).latency?.barge_ins).toBe(0);
  });
});

// Not concurrent: it stalls the whole process on purpose, which would shift every other call's timing.
describe("voice agent on a machine that stalls", REAL_TIME, () => {
  it("counts its opening wait in audio heard, so a stall does not make it talk over a late greeting", async ({
    onTestFinished,
  }) => {
    // The production opening wait, which the stall below outlasts.
    const c = call({ script: () => ({ text: "Okay." }), settings: { openingWaitMs: 1200 } }, onTestFinished);
    await sleep(100);
    // The process stalls for longer than the opening wait: the wall clock runs on, the line's audio does not.
    const until = performance.now() + 1500;
    while (performance.now() < until) {
      // a busy machine
    }
    await sleep(150);
    c.callee.say("Hello, Smile Dental.", 700);
    await c.callee.agentSpeaks();
    await c.callee.agentFinished();
    c.fake.calleeHangsUp();
    const result = await c.result;
    expect(roles(c.transcript).slice(0, 2)).toEqual(["user", "assistant"]);
    expect(c.transcript[1]!.text).toContain("AI assistant");
    expect(result.latency?.barge_ins).toBe(0);
  });
});
