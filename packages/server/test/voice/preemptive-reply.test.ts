import { describe, expect, it } from "vitest";
import { speechLikeMulaw } from "../../src/voice/synth.ts";
import { REAL_TIME } from "../helpers/real-time.ts";
import { sleep } from "./fakes.ts";
import { lastUserText, type Scenario, startCall } from "./harness.ts";

type Cleanup = (fn: () => Promise<void>) => void;

/** A call past its opening, with a recogniser whose final comes 300 ms after the callee's last sound. */
async function inConversation(s: Scenario, onTestFinished: Cleanup) {
  const c = startCall({ sttFinalMs: 300, ...s });
  onTestFinished(() => c.finish());
  c.callee.say("Hello?", 500);
  await c.callee.agentFinished();
  return c;
}

const answerTheTime: Scenario["script"] = (messages) => ({
  text: lastUserText(messages).includes("seven") ? "Seven works, see you then." : "Six works, see you then.",
});

describe.concurrent("voice agent: the reply prepared before the recogniser's final", REAL_TIME, () => {
  it("asks the model when the callee goes quiet and speaks that reply when the final agrees", async ({
    onTestFinished,
  }) => {
    const c = await inConversation({ script: answerTheTime }, onTestFinished);
    // An interim with every word arrives just after the speech, as a streaming recogniser's does.
    c.callee.say("Do you have a table at seven?", 800, 880, "do you have a table at seven");
    await c.callee.agentSpeaks();
    await c.callee.agentFinished();

    expect(c.llm.calls).toHaveLength(1);
    const final = c.stt.utterances.at(-1)!.finalAt!;
    expect(c.llm.calls[0]!.startedAt).toBeLessThan(final);
    // The turn is recorded as the final gave it, and answered by the reply prepared on the interim.
    expect(c.transcript.filter((e) => e.role === "user").at(-1)?.text).toBe("Do you have a table at seven?");
    expect(c.transcript.filter((e) => e.role === "assistant").at(-1)?.text).toBe(
      "Seven works, see you then.",
    );
  });

  it("drops the prepared reply when the final says otherwise, and answers the final", async ({
    onTestFinished,
  }) => {
    const c = await inConversation({ script: answerTheTime }, onTestFinished);
    c.callee.say("Do you have a table at seven?", 800, 880, "do you have a table at six");
    await c.callee.agentSpeaks();
    await c.callee.agentFinished();

    // The prepared reply (long finished: the model is quick here) was never spoken.
    expect(c.llm.calls).toHaveLength(2);
    expect(lastUserText(c.llm.calls[1]!.messages)).toBe("Do you have a table at seven?");
    const said = c.transcript.filter((e) => e.role === "assistant").map((e) => e.text);
    expect(said.at(-1)).toBe("Seven works, see you then.");
    expect(said.join(" ")).not.toContain("Six");
  });

  it("never speaks the prepared reply while the callee speaks on, and drops it for their new words", async ({
    onTestFinished,
  }) => {
    const long =
      "Seven works. The table is by the window, it seats two, and we hold it fifteen minutes past the hour, after which it goes to the next guest on the list.";
    const c = await inConversation({ script: () => ({ text: long }) }, onTestFinished);
    // A pause after "…a table" long enough for a preview, then more words in the same utterance.
    c.callee.say("Do you have a table at seven?", 400, 480, "do you have a table");
    await sleep(560);
    c.callee.play(speechLikeMulaw(1500, 3));
    // Well inside the resumed speech, long before its final.
    await sleep(500);
    expect(c.llm.calls).toHaveLength(1);
    expect(c.callee.heardAt.filter((t) => t > c.stt.utterances.at(-1)!.startAt)).toHaveLength(0);

    await c.callee.agentSpeaks();
    await c.callee.agentFinished();
    // Its words changed: the model is asked again for them, the earlier request not taken up.
    expect(c.llm.calls).toHaveLength(2);
    expect(lastUserText(c.llm.calls[1]!.messages)).toBe("Do you have a table at seven?");
  });

  it("keeps the prepared reply through a sound that adds no words, asking the model once", async ({
    onTestFinished,
  }) => {
    const c = await inConversation({ script: answerTheTime }, onTestFinished);
    c.callee.say("Do you have a table at seven?", 400, 480, "do you have a table at seven");
    await sleep(560);
    // A breath or a cough the VAD takes for speech; the recogniser hears no new words in it.
    c.callee.play(speechLikeMulaw(200, 3));
    await c.callee.agentSpeaks();
    await c.callee.agentFinished();
    expect(c.llm.calls).toHaveLength(1);
    expect(c.llm.calls[0]!.aborted).toBe(false);
    expect(c.transcript.filter((e) => e.role === "assistant").at(-1)?.text).toBe(
      "Seven works, see you then.",
    );
  });

  it("prepares nothing while the agent itself is speaking", async ({ onTestFinished }) => {
    const c = await inConversation(
      { script: () => ({ text: "Let me read the whole booking back to you, slowly and in full detail." }) },
      onTestFinished,
    );
    c.callee.say("Can you read it back?", 700);
    await c.callee.agentSpeaks();
    // A short remark over the reply, whose interim arrives after it: not a turn to prepare for.
    c.callee.say("uh-huh", 300, 380);
    await c.callee.agentFinished();
    expect(c.llm.calls).toHaveLength(1);
    expect(c.llm.calls.every((call) => !call.aborted)).toBe(true);
  });
});
