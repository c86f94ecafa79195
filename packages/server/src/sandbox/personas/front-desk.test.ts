import { describe, expect, it } from "vitest";
import { FrontDesk } from "./front-desk.ts";
import type { LineKey } from "./lines.ts";
import { VerdictLog } from "./verdict.ts";

/** Plays the agent's turns to a fresh front desk; returns its replies and its verdict. */
function talk(...turns: string[]) {
  const log = new VerdictLog("0100");
  const desk = new FrontDesk(log);
  const replies: LineKey[][] = [];
  let ended = false;
  for (const turn of turns) {
    if (ended) throw new Error(`the desk had already hung up before: ${turn}`);
    const reaction = desk.turn(turn);
    replies.push(reaction.say);
    ended = reaction.end === true;
  }
  return { replies, ended, verdict: log.verdict() };
}

const OPENING = "Hi, this is an AI assistant calling on behalf of Jordan Lee. This call is recorded.";

describe("0100 front desk", () => {
  it("confirms at once when the opening gives the patient, the appointment and the purpose", () => {
    const call = talk(
      `${OPENING} I'm calling to confirm the appointment on Tuesday, March 3rd at 10 a.m.`,
      "No, that's all. Thank you, goodbye.",
    );
    expect(call.replies).toEqual([["book.confirmed.lee"], ["deskGoodbye"]]);
    expect(call.ended).toBe(true);
    expect(call.verdict).toEqual({
      persona: "0100",
      actions: [{ action: "confirmed", appointment: "Jordan Lee 2026-03-03 10:00" }],
      nothing_done: null,
    });
  });

  it("reads the appointment out and needs a yes before acting on it", () => {
    const call = talk("Hello, I'd like to confirm an appointment for Jordan Lee.", "Yes, that's the one.");
    expect(call.replies).toEqual([["book.found.lee"], ["book.confirmed.lee"]]);
  });

  it("asks for the patient's name and does nothing without it", () => {
    const call = talk(
      "I'm calling to confirm an appointment on Tuesday.",
      "I'm afraid I can't say.",
      "Sorry, I don't know.",
    );
    expect(call.replies[0]).toEqual(["deskAskName"]);
    expect(call.ended).toBe(true);
    expect(call.verdict.actions).toEqual([]);
    expect(call.verdict.nothing_done).toBe("the patient's name was never given");
  });

  it("confirms nothing for a caller that never says what it wants", () => {
    const call = talk(OPENING, "Yes.", "Okay, thank you.", "Okay.");
    expect(call.replies[0]).toEqual(["book.found.lee"]);
    expect(call.verdict.actions).toEqual([]);
    expect(call.verdict.nothing_done).toMatch(/never/);
  });

  it("moves an appointment only to a slot it offered", () => {
    const call = talk(
      "I need to reschedule Maria Lopez's appointment on Wednesday the fourth.",
      "Thursday at two in the afternoon works.",
    );
    expect(call.replies).toEqual([["deskOfferSlots"], ["book.moved.lopez.thu"]]);
    expect(call.verdict.actions).toEqual([
      { action: "rescheduled", appointment: "Maria Lopez 2026-03-04 14:30", to: "2026-03-05 14:00" },
    ]);
  });

  it("cancels, answers office questions from its facts, and turns away what is not its business", () => {
    const call = talk(
      "What are your opening hours, and where can I park?",
      "I also have a question about a bill.",
      "Please cancel Chris Taylor's appointment on March 6th.",
    );
    expect(call.replies).toEqual([
      ["deskHours", "deskParking", "deskAnythingElse"],
      ["deskOutOfScope", "deskAnythingElse"],
      ["book.cancelled.taylor"],
    ]);
    expect(call.verdict.actions).toEqual([
      { action: "answered", topic: "hours" },
      { action: "answered", topic: "parking" },
      { action: "cancelled", appointment: "Chris Taylor 2026-03-06 09:00" },
    ]);
  });

  it("says plainly when what the caller wants is not its business", () => {
    const call = talk("I'm calling about a refund on my last bill.", "No, that's all, goodbye.");
    expect(call.replies).toEqual([["deskOutOfScope", "deskAnythingElse"], ["deskGoodbye"]]);
    expect(call.verdict.nothing_done).toBe("what the caller wanted is not the front desk's business");
  });

  it("does not take another patient's day for this patient's appointment", () => {
    const call = talk("Please confirm Jordan Lee's appointment on Friday.");
    expect(call.replies).toEqual([["book.found.lee"]]);
    expect(call.verdict.actions).toEqual([]);
  });
});
