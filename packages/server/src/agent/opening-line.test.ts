import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { templateOpening, withDisclosure } from "./opening-line.ts";
import { openingFromArguments } from "./opening-request.ts";

const base = { to: "+12125550100", task: "Confirm the cleaning on Thursday." };

describe("withDisclosure", () => {
  it("adds only the disclosures a line lacks", () => {
    expect(withDisclosure("Hi, this is Alex calling for Jordan Lee")).toBe(
      "Hi, this is Alex calling for Jordan Lee. I'm an AI assistant. This call is recorded.",
    );
    expect(withDisclosure("Hello! I'm an AI assistant and this call is being recorded.")).toBe(
      "Hello! I'm an AI assistant and this call is being recorded.",
    );
    expect(withDisclosure("Hi, I'm a virtual assistant calling about your order.")).toBe(
      "Hi, I'm a virtual assistant calling about your order. This call is recorded.",
    );
  });
});

describe("templateOpening", () => {
  it("speaks the caller's greeting as given, with the disclosure", () => {
    const facts = templateOpening({ ...base, greeting: "Good morning, calling for Priya Shah" });
    expect(facts.line).toBe(
      "Good morning, calling for Priya Shah. I'm an AI assistant. This call is recorded.",
    );
    expect(facts.fromTemplate).toBe(true);
  });

  it("never takes a word of the task or personality into the line", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (task, personality) => {
        const { line, onBehalfOf } = templateOpening({ to: base.to, task, personality });
        expect(line).toBe("Hello, this is an AI assistant. This call is recorded.");
        expect(onBehalfOf).toBeNull();
      }),
    );
  });
});

describe("openingFromArguments", () => {
  it("reads the model's structured answer and checks its disclosure", () => {
    const facts = openingFromArguments(
      JSON.stringify({
        line: "Hi, this is Alex calling on behalf of Jordan Lee to confirm Tuesday's appointment",
        on_behalf_of: "Jordan Lee",
        purpose: "to confirm Tuesday's appointment",
      }),
    );
    expect(facts).toEqual({
      line: "Hi, this is Alex calling on behalf of Jordan Lee to confirm Tuesday's appointment. I'm an AI assistant. This call is recorded.",
      callerName: null,
      onBehalfOf: "Jordan Lee",
      purpose: "to confirm Tuesday's appointment",
      fromTemplate: false,
    });
  });

  it.each([["{not json"], ["[]"], ['{"purpose":"x"}'], ['{"line":"   "}'], ['{"line":42}']])(
    "gives no line for malformed arguments %s",
    (json) => expect(openingFromArguments(json)).toBeNull(),
  );
});
