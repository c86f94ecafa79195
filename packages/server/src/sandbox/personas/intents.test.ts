import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asksToHold, greetsAsNewcomer, keepsOnHold, understand } from "./intents.ts";
import { findDates, findTimes, MONTHS, tokenize, wordsToDigits } from "./numbers.ts";

const UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const TEENS = [
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty"];
const ORDINAL_UNITS = [
  "",
  "first",
  "second",
  "third",
  "fourth",
  "fifth",
  "sixth",
  "seventh",
  "eighth",
  "ninth",
];
const ORDINAL_TEENS = [
  "tenth",
  "eleventh",
  "twelfth",
  "thirteenth",
  "fourteenth",
  "fifteenth",
  "sixteenth",
  "seventeenth",
  "eighteenth",
  "nineteenth",
];

/** A number 1..59 in words, the way a person would say it ("twenty one"). */
function spell(n: number): string {
  if (n < 10) return UNITS[n]!;
  if (n < 20) return TEENS[n - 10]!;
  return `${TENS[Math.floor(n / 10)]}${n % 10 ? ` ${UNITS[n % 10]}` : ""}`;
}
function spellOrdinal(n: number): string {
  if (n < 10) return ORDINAL_UNITS[n]!;
  if (n < 20) return ORDINAL_TEENS[n - 10]!;
  if (n % 10 === 0) return n === 20 ? "twentieth" : "thirtieth";
  return `${TENS[Math.floor(n / 10)]} ${ORDINAL_UNITS[n % 10]}`;
}
const suffix = (n: number) =>
  n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th";
const digits = (text: string) => wordsToDigits(tokenize(text));

describe("numbers, dates and times either way", () => {
  it("reads a time of day the same in digits, with a clock, or in words", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(0, 15, 30, 45),
        fc.boolean(),
        (h, m, pm) => {
          const minutes = ((h % 12) + (pm ? 12 : 0)) * 60 + m;
          const clock = `${h}:${String(m).padStart(2, "0")}`;
          const words = m === 0 ? spell(h) : `${spell(h)} ${spell(m)}`;
          const says = [
            `at ${clock} ${pm ? "p.m." : "a.m."}`,
            `at ${clock}${pm ? "pm" : "am"} please`,
            `at ${words} ${pm ? "in the afternoon" : "in the morning"}`,
            `around ${words} ${pm ? "PM" : "AM"}`,
          ];
          for (const said of says)
            expect({ said, times: findTimes(digits(said)) }).toEqual({ said, times: [minutes] });
        },
      ),
    );
  });

  it("reads a calendar date in any of the usual forms", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (month, day) => {
        const name = MONTHS[month - 1]!;
        const Name = name[0]!.toUpperCase() + name.slice(1);
        const says = [
          `on ${Name} ${day}`,
          `on ${Name} ${day}${suffix(day)}`,
          `on ${name} ${spellOrdinal(day)}`,
          `on the ${spellOrdinal(day)} of ${name}`,
          `on ${month}/${day}`,
        ];
        for (const said of says)
          expect({ said, dates: findDates(digits(said)) }).toEqual({ said, dates: [{ month, day }] });
      }),
    );
  });

  it("reads a year spoken in two halves or written out", () => {
    for (const said of [
      "April twelfth, nineteen eighty-five",
      "April 12, 1985",
      "4/12/1985",
      "the twelfth of April nineteen eighty five",
      "12 April 1985",
    ]) {
      expect({ said, dates: findDates(digits(said)) }).toEqual({
        said,
        dates: [{ month: 4, day: 12, year: 1985 }],
      });
    }
  });

  it("does not take a day of the month for a time", () => {
    expect(findTimes(digits("Tuesday, March 3, 10 am"))).toEqual([600]);
  });
});

describe("intents in what the agent said", () => {
  const people = ["Jordan Lee", "Maria Lopez"];

  it("hears the request, whoever phrases it", () => {
    const cases: Array<[string, string]> = [
      ["I'm calling to confirm Jordan Lee's appointment on Tuesday.", "confirm"],
      ["Could you double-check that Jordan's visit is still on?", "confirm"],
      ["We need to reschedule Jordan Lee's cleaning.", "reschedule"],
      ["Is it possible to move the appointment to another day?", "reschedule"],
      ["Jordan can't make it on Tuesday, so please cancel.", "cancel"],
      ["I'd like to call off the appointment.", "cancel"],
    ];
    for (const [said, request] of cases)
      expect({ said, r: understand(said, people).requests }).toEqual({ said, r: [request] });
  });

  it("finds known people, possessive or with a title, and no one else", () => {
    expect(understand("It's about Jordan Lee's appointment", people).people).toEqual(["Jordan Lee"]);
    expect(understand("for Ms. Lopez", people).people).toEqual(["Maria Lopez"]);
    expect(understand("for Jordan Smith", people).people).toEqual([]);
  });

  it("tells who is calling from why it calls", () => {
    const who = understand("Hi, this is an AI assistant calling for Jordan Lee.");
    expect(who.identity).toBe(true);
    expect(who.reason).toBe(false);
    const both = understand("This is an AI assistant calling for Jordan Lee about a dental appointment.");
    expect(both.identity && both.reason).toBe(true);
    expect(understand("Hello? Hello, can you hear me?").reason).toBe(false);
  });

  it("hears office questions, not knowing something, and the end of a call", () => {
    expect(understand("What are your hours, and is there parking?").topics).toEqual(["hours", "parking"]);
    expect(understand("Do you take Delta Dental insurance?").topics).toEqual(["insurance"]);
    expect(understand("I'm sorry, I don't have the date of birth.").lacks).toBe(true);
    expect(understand("No, that's all. Thank you, goodbye.").closing).toBe(true);
    expect(understand("Yes, please confirm it.").closing).toBe(false);
  });

  it("finds the request whatever surrounds it", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("Hi there.", "Good morning!", "This call is recorded.", "Thanks for picking up.", ""),
        fc.constantFrom("Hope you're well.", "Thank you so much.", "I appreciate it.", ""),
        (before, after) => {
          const u = understand(`${before} I'm calling to cancel Maria Lopez's appointment. ${after}`, people);
          expect(u.requests).toEqual(["cancel"]);
          expect(u.people).toEqual(["Maria Lopez"]);
        },
      ),
    );
  });
});

describe("holding while the caller connects someone", () => {
  it("hears a request to hold in the usual wordings", () => {
    for (const text of [
      "Thank you. I'm connecting Jordan now, please hold.",
      "One moment please, I'm transferring you.",
      "Let me put you through, bear with me.",
    ])
      expect(asksToHold(text), text).toBe(true);
    expect(asksToHold("I'm calling to confirm Jordan Lee's appointment.")).toBe(false);
  });

  it("keeps holding through check-ins, and stops at anything else or a goodbye", () => {
    expect(keepsOnHold("Still connecting you, thank you for holding.")).toBe(true);
    expect(keepsOnHold("Yes, I'm still here. I'm connecting you now, their phone is ringing.")).toBe(true);
    expect(keepsOnHold("I'm sorry, they didn't pick up.")).toBe(false);
    expect(keepsOnHold("Still connecting you. Actually, that's all, goodbye.")).toBe(false);
  });

  it("tells a newcomer's hello from the caller's words", () => {
    expect(greetsAsNewcomer("Hello, this is Chris.")).toBe(true);
    expect(greetsAsNewcomer("Still connecting you, thank you for holding.")).toBe(false);
  });
});
