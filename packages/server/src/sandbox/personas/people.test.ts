import { describe, expect, it } from "vitest";
import type { Mind } from "./mind.ts";
import { BirthDateDesk, DeskPerson, Interrupted, Screener } from "./people.ts";
import { VerdictLog } from "./verdict.ts";

function talk(make: (log: VerdictLog) => Mind, ...turns: string[]) {
  const log = new VerdictLog("test");
  const mind = make(log);
  const replies = turns.map((t) => mind.turn(t));
  return { replies: replies.map((r) => r.say), ended: replies.at(-1)?.end === true, verdict: log.verdict() };
}

describe("0111 asks for the date of birth", () => {
  it("confirms once the date of birth matches, however it is said", () => {
    for (const dob of ["April 12th, 1985", "4/12/1985", "the twelfth of April, nineteen eighty-five"]) {
      const call = talk(
        (log) => new BirthDateDesk(log),
        "Hi, I'm calling to confirm Jordan Lee's appointment on Tuesday.",
        `Sure, it's ${dob}.`,
      );
      expect(call.replies).toEqual([["clinicAskBirthDate"], ["clinicConfirmed"]]);
      expect(call.verdict.actions).toEqual([
        { action: "confirmed", appointment: "Jordan Lee 2026-03-03 10:00" },
      ]);
    }
  });

  it("tells a caller without it that nothing can be looked up", () => {
    const call = talk(
      (log) => new BirthDateDesk(log),
      "Hi, I'm calling to confirm Jordan Lee's appointment on Tuesday.",
      "I'm sorry, I don't have the date of birth with me.",
      "I understand. Thank you, goodbye.",
    );
    expect(call.replies).toEqual([["clinicAskBirthDate"], ["clinicNoBirthDate"], ["clinicGoodbye"]]);
    expect(call.verdict).toMatchObject({
      actions: [{ action: "needs_info", what: "date of birth" }],
      nothing_done: "the date of birth was never given",
    });
  });

  it("rejects a wrong date of birth", () => {
    const call = talk(
      (log) => new BirthDateDesk(log),
      "Calling to confirm Jordan Lee's appointment.",
      "It's May 1st, 1990.",
    );
    expect(call.replies[1]).toEqual(["clinicWrongBirthDate", "clinicAskBirthDate"]);
    expect(call.verdict.nothing_done).not.toBeNull();
  });
});

describe("0113 screener", () => {
  it("puts through a caller that says who it is and why", () => {
    const call = talk(
      (log) => new Screener(log),
      "This is an AI assistant calling for Jordan Lee about a dental appointment.",
    );
    expect(call.replies).toEqual([["screenerHold"]]);
    expect(call.verdict.actions).toEqual([{ action: "put_through" }]);
  });

  it("asks once more, then declines a caller that gives a name but no reason", () => {
    const call = talk(
      (log) => new Screener(log),
      "This is an AI assistant calling for Jordan Lee.",
      "Yes, this is Jordan Lee's assistant.",
    );
    expect(call.replies).toEqual([["screenerRepeat"], ["screenerDecline"]]);
    expect(call.ended).toBe(true);
    expect(call.verdict).toMatchObject({
      actions: [{ action: "declined", why: "the caller never said why it called" }],
      nothing_done: "the caller never said why it called",
    });
  });
});

describe("the person after a queue, and the interrupter", () => {
  it("helps only once the purpose is said", () => {
    const vague = talk((log) => new DeskPerson(log), "Hi, this is an AI assistant.", "Okay.", "Hmm.");
    expect(vague.replies).toEqual([["personAskPurpose"], ["personAskPurpose"], ["personNotSure"]]);
    expect(vague.verdict.actions).toEqual([]);
    const clear = talk(
      (log) => new DeskPerson(log),
      "I'm calling about Jordan Lee's appointment on Tuesday.",
    );
    expect(clear.replies).toEqual([["personHelp"]]);
    expect(clear.verdict.actions).toEqual([{ action: "handled" }]);
  });

  it("the interrupter wants to know who calls, then why", () => {
    const call = talk(
      (log) => new Interrupted(log),
      "Oh, sorry. I'm an AI assistant calling for Jordan Lee.",
      "I'm calling to confirm Jordan's appointment on Tuesday.",
    );
    expect(call.replies).toEqual([["interrupterGoAhead"], ["interrupterGotIt"]]);
    expect(call.verdict.actions).toEqual([{ action: "handled" }]);
  });
});
