import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OpeningPlan } from "../../src/agent/opening-plan.ts";
import { ScriptedLlm, ToneTts } from "./fakes.ts";

const NAMES = ["Jordan Lee", "Maria Gomez", "Priya Shah", "Sam", "Chris O'Neil", "Ana-Sofia Ruiz", "Li Wei"];
const PURPOSES = [
  { what: "confirm the appointment on Tuesday", word: "confirm the appointment" },
  { what: "cancel the cleaning on Friday", word: "cancel the cleaning" },
  { what: "ask about the opening hours", word: "opening hours" },
];
/** What may follow the sentence that names the person: a new sentence with a capitalised first word. */
const AFTER = [
  "",
  " Only confirm it, do not reschedule.",
  " Once done, hang up.",
  " Use a friendly tone.",
  " I will be away.",
  " If you reach voicemail, leave a message.",
];
/** Every way of saying for whom the call is that the property is held to. */
const PHRASINGS: Array<(name: string, what: string) => string> = [
  (n, p) => `On behalf of ${n}, call to ${p}.`,
  (n, p) => `Call to ${p} on behalf of ${n}.`,
  (n, p) => `Call the office on behalf of ${n} to ${p}.`,
  (n, p) => `Please call on behalf of ${n}. Call to ${p}.`,
  (n, p) => `Call for ${n} to ${p}.`,
  (n, p) => `Call the clinic for my client ${n} to ${p}.`,
  (n, p) => `Call on behalf of ${n}'s family to ${p}.`,
];
const CASES = [(t: string) => t, (t: string) => t.toLowerCase(), (t: string) => t.toUpperCase()];

async function openingFor(task: string, llm: ScriptedLlm | null) {
  const plan = new OpeningPlan({
    request: { to: "+12125550100", task },
    llm,
    tts: new ToneTts(0, 1),
    temperature: 0,
    onWarning: () => {},
  });
  plan.answered();
  await plan.settled();
  return plan.take();
}

describe("the opening composed while the phone rings", () => {
  it("names the right person and states the purpose for every phrasing of whom the call is for", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NAMES),
        fc.constantFrom(...PURPOSES),
        fc.constantFrom(...PHRASINGS),
        fc.constantFrom(...AFTER),
        fc.constantFrom(...CASES),
        async (name, purpose, phrasing, after, inCase) => {
          const task = inCase(phrasing(name, purpose.what) + after);
          const { facts } = await openingFor(task, new ScriptedLlm(() => ({}), 0, 1000));
          expect(facts.fromTemplate, task).toBe(false);
          expect(facts.onBehalfOf, task).toBe(name);
          // Named whole, and nothing of the next sentence taken for part of the name.
          expect(facts.line, task).toContain(`on behalf of ${name}.`);
          expect(facts.line.toLowerCase(), task).toContain(purpose.word);
          expect(facts.line, task).toMatch(/AI assistant/);
          expect(facts.line, task).toMatch(/recorded/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("names whose appointment it is when the task says so only by a possessive", async () => {
    for (const name of NAMES.filter((n) => n.includes(" "))) {
      const { facts } = await openingFor(
        `Call to confirm ${name}'s appointment on Tuesday. Only confirm it.`,
        new ScriptedLlm(() => ({}), 0, 1000),
      );
      expect(facts.line).toContain(`on behalf of ${name}. I'm calling to confirm ${name}'s appointment`);
    }
  });

  it("plays the line synthesised ahead, so the opening needs no synthesis at the answer", async () => {
    const tts = new ToneTts(0, 1);
    const plan = new OpeningPlan({
      request: { to: "+12125550100", task: "Call to confirm Jordan Lee's appointment." },
      llm: new ScriptedLlm(() => ({}), 0, 1000),
      tts,
      temperature: 0,
      onWarning: () => {},
    });
    await plan.settled();
    const { speech, facts } = plan.take();
    expect(typeof speech === "object" && speech.text).toBe(facts.line);
    expect(tts.requests.map((r) => r.text).join(" ")).toBe(facts.line);
  });

  it("falls back to the template, with no name cut from the task, when no model reply is ready", async () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), fc.constantFrom(...PHRASINGS), (name, phrasing) => {
        const hung = new ScriptedLlm(
          () => ({}),
          60_000,
          1,
          () => ({ text: "never" }),
        );
        const plan = new OpeningPlan({
          request: { to: "+12125550100", task: phrasing(name, "confirm the appointment") },
          llm: hung,
          tts: new ToneTts(0, 1),
          temperature: 0,
          onWarning: () => {},
        });
        plan.answered();
        const { facts, speech } = plan.take();
        expect(facts.fromTemplate).toBe(true);
        expect(facts.line).toBe("Hello, this is an AI assistant. This call is recorded.");
        expect(speech).toBe(facts.line);
      }),
    );
  });

  it("a model that fails leaves the template, and says so only to the operator's log", async () => {
    const warnings: string[] = [];
    const plan = new OpeningPlan({
      request: { to: "+12125550100", task: "Call to confirm the appointment.", greeting: "Hi there" },
      llm: new ScriptedLlm(
        () => ({}),
        0,
        1000,
        () => ({ error: "HTTP 500" }),
      ),
      tts: new ToneTts(0, 1),
      temperature: 0,
      onWarning: (message) => warnings.push(message),
    });
    await plan.settled();
    expect(plan.take().facts.line).toBe("Hi there. I'm an AI assistant. This call is recorded.");
    expect(warnings).toEqual(["composing the opening line failed"]);
  });
});
