import { describe, expect, it } from "vitest";
import { EndOfTurnDetector } from "./end-of-turn.ts";

describe("EndOfTurnDetector", () => {
  it("ends the turn at once when the recogniser says the utterance is over", () => {
    const d = new EndOfTurnDetector({ silenceMs: 700 });
    d.onSpeech();
    d.onFinal("I can do Thursday", true);
    // Still within the VAD's hangover: the recogniser's judgement wins.
    expect(d.evaluate(100, true, 99)).toEqual({ type: "turn", text: "I can do Thursday" });
    expect(d.pending).toBe(false);
  });

  it("without end-of-utterance waits for the silence hangover, joining finals", () => {
    const d = new EndOfTurnDetector({ silenceMs: 600 });
    d.onSpeech();
    d.onFinal("I can do", false);
    d.onFinal("Thursday", false);
    expect(d.evaluate(110, false, 100)).toEqual({ type: "none" });
    expect(d.evaluate(129, false, 100)).toEqual({ type: "none" });
    expect(d.evaluate(130, false, 100)).toEqual({ type: "turn", text: "I can do Thursday" });
  });

  it("asks the recogniser to flush after silence, and drops sound that had no words", () => {
    const d = new EndOfTurnDetector({ silenceMs: 400, flushWaitMs: 1000 });
    d.onSpeech();
    expect(d.evaluate(120, false, 100)).toEqual({ type: "flush" });
    expect(d.evaluate(121, false, 100)).toEqual({ type: "none" });
    d.onFinal("yes", false);
    expect(d.evaluate(122, false, 100)).toEqual({ type: "turn", text: "yes" });

    d.onSpeech();
    expect(d.evaluate(220, false, 200)).toEqual({ type: "flush" });
    expect(d.evaluate(280, false, 200)).toEqual({ type: "none" });
    expect(d.pending).toBe(false);
  });

  it("reports what has been heard so far for the barge-in policy", () => {
    const d = new EndOfTurnDetector();
    d.onSpeech();
    d.onInterim("uh");
    expect(d.heard).toBe("uh");
    d.onFinal("uh-huh", false);
    d.onInterim("okay");
    expect(d.heard).toBe("uh-huh okay");
  });

  it("offers the words as a preview once the callee is quiet and they cover all the speech", () => {
    const d = new EndOfTurnDetector({ silenceMs: 700, previewQuietMs: 60 });
    d.onSpeech();
    // Words given while the callee was still talking do not cover what followed.
    d.onInterim("do you have", 95);
    expect(d.evaluate(105, true, 100)).toEqual({ type: "none" });
    d.onInterim("do you have a table", 102);
    expect(d.evaluate(102, true, 100)).toEqual({ type: "none" });
    expect(d.evaluate(103, true, 100)).toEqual({ type: "preview", text: "do you have a table" });
    // Offered once; the final with the same words is the turn.
    expect(d.evaluate(104, true, 100)).toEqual({ type: "none" });
    d.onFinal("Do you have a table?", true, 108);
    expect(d.evaluate(108, true, 100)).toEqual({ type: "turn", text: "Do you have a table?" });
  });

  it("offers a new preview after the callee spoke on, and none when previews are off", () => {
    const d = new EndOfTurnDetector({ previewQuietMs: 60 });
    d.onSpeech();
    d.onInterim("do you have", 104);
    expect(d.evaluate(104, true, 100)).toEqual({ type: "preview", text: "do you have" });
    d.onVoiced();
    expect(d.previewOpen).toBe(false);
    d.onInterim("do you have a table", 124);
    expect(d.evaluate(124, true, 120)).toEqual({ type: "preview", text: "do you have a table" });

    const off = new EndOfTurnDetector({ previewQuietMs: 0 });
    off.onSpeech();
    off.onInterim("do you have", 104);
    expect(off.evaluate(110, true, 100)).toEqual({ type: "none" });
  });
});
