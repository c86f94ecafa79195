import { describe, expect, it } from "vitest";
import { callerIdentity, composeOpeningLine } from "./opening-line.ts";

const base = { to: "+12125550100", task: "Confirm the cleaning on Thursday." };

describe("composeOpeningLine", () => {
  it("builds a default from the personality: who, on whose behalf, AI, recorded", () => {
    const line = composeOpeningLine({
      ...base,
      personality: "Alex, a friendly and professional assistant calling on behalf of Jordan Lee.",
    });
    expect(line).toBe(
      "Hello, this is Alex calling on behalf of Jordan Lee. I'm an AI assistant. This call is recorded.",
    );
  });

  it("keeps the caller's greeting and adds only the disclosures it lacks", () => {
    expect(
      composeOpeningLine({
        ...base,
        greeting: "Hi, this is Alex calling on behalf of Jordan Lee regarding an upcoming appointment",
      }),
    ).toBe(
      "Hi, this is Alex calling on behalf of Jordan Lee regarding an upcoming appointment. I'm an AI assistant. This call is recorded.",
    );
    expect(
      composeOpeningLine({
        ...base,
        greeting: "Hello! I'm an AI assistant and this call is being recorded.",
      }),
    ).toBe("Hello! I'm an AI assistant and this call is being recorded.");
  });

  it("takes whose behalf from the task when the personality does not say, and never invents a name", () => {
    const line = composeOpeningLine({
      to: base.to,
      task: "Call the clinic on behalf of Maria Gomez to book.",
    });
    expect(line).toBe(
      "Hello, I'm calling on behalf of Maria Gomez. I'm an AI assistant. This call is recorded.",
    );
    expect(composeOpeningLine(base)).toBe("Hello. I'm an AI assistant. This call is recorded.");
  });

  it("names the user in the disclosure when a greeting did not", () => {
    const line = composeOpeningLine({
      ...base,
      personality: "Sam, on behalf of Priya Shah",
      greeting: "Good morning",
    });
    expect(line).toBe(
      "Good morning. I'm an AI assistant calling on behalf of Priya Shah. This call is recorded.",
    );
  });
});

describe("callerIdentity", () => {
  it("does not mistake descriptions for names", () => {
    expect(callerIdentity({ ...base, personality: "A friendly assistant." })).toEqual({
      name: null,
      onBehalfOf: null,
    });
    expect(callerIdentity({ ...base, personality: "You are Riley, polite and brief." }).name).toBe("Riley");
  });
});
