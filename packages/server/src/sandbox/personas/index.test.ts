import { describe, expect, it } from "vitest";
import { normalizePhrase } from "../speech/grammar.ts";
import { bridgeTargetBehaviour, isConversationalLine, personaPhrases } from "./index.ts";

describe("sandbox lines", () => {
  it("has someone to talk to on the conversational magic numbers and any other number", () => {
    for (const line of [
      "0100",
      "0107",
      "0108",
      "0109",
      "0110",
      "0111",
      "0112",
      "0113",
      "0114",
      "0115",
      "0116",
      "0118",
      "0119",
      "4242",
    ]) {
      expect(isConversationalLine(line)).toBe(true);
    }
    for (const line of ["0101", "0102", "0103", "0104", "0105", "0106", "0117"]) {
      expect(isConversationalLine(line)).toBe(false);
    }
  });

  it("answers a bridge on 0112 and rings out on 0117 for the configured time", () => {
    expect(bridgeTargetBehaviour("0112")).toEqual({ kind: "answers" });
    expect(bridgeTargetBehaviour("0117", { ringSeconds: 2 })).toEqual({ kind: "no_answer", ringSeconds: 2 });
  });

  it("gives the recogniser distinct phrases made of words only", () => {
    const phrases = personaPhrases();
    const normalized = phrases.map(normalizePhrase);
    expect(new Set(normalized).size).toBe(phrases.length);
    for (const p of normalized) expect(p).toMatch(/^[a-z']+( [a-z']+)*$/);
  });
});
