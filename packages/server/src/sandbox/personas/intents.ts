import type { OfficeTopic } from "@clawcall/contract";

export type { OfficeTopic };

import {
  type CalendarDate,
  findDates,
  findTimes,
  findWeekdays,
  tokenize,
  type Weekday,
  wordsToDigits,
} from "./numbers.ts";

export type Request = "confirm" | "reschedule" | "cancel";

/** What a callee understood in the words the agent got across in one turn. */
export interface Understood {
  requests: Request[];
  topics: OfficeTopic[];
  /** Known people named (full names, in the order of the `people` given). */
  people: string[];
  weekdays: Weekday[];
  dates: CalendarDate[];
  /** Minutes after midnight. */
  times: number[];
  /** Says who is calling ("this is…", "my name is…", "calling for…", "an AI assistant"). */
  identity: boolean;
  /** Says why it calls: a request, or "calling about / to / regarding…". */
  reason: boolean;
  /** Says it lacks something asked for ("I don't have that", "I'm not sure"). */
  lacks: boolean;
  /** Winds the call down ("that's all", "nothing else", "goodbye"). */
  closing: boolean;
  affirm: boolean;
  /** Asks about something a front desk does not handle (billing, prescriptions, results…). */
  outOfScope: boolean;
}

const REQUESTS: ReadonlyArray<[Request, RegExp]> = [
  // Checked before "confirm": "can we move it" must not read as a confirmation of the old time.
  [
    "reschedule",
    /\b(reschedul\w*|re schedul\w*|move|moving|moved|change|changing|push (it )?back|postpone\w*|different (day|time|date)|another (day|time|date)|new (day|time|date)|switch)\b/,
  ],
  [
    "cancel",
    /\b(cancel\w*|call off|wont (be able to )?make it|can ?not make it|cant make it|not (be )?coming|drop the appointment)\b/,
  ],
  [
    "confirm",
    /\b(confirm\w*|verify|double check|make sure|still on|still (scheduled|booked)|keep (it|the appointment)|reconfirm\w*)\b/,
  ],
];

const TOPICS: ReadonlyArray<[OfficeTopic, RegExp]> = [
  ["hours", /\b(hours|open|opening|close|closing|closed)\b/],
  ["address", /\b(address|located|location|where (are|is) (you|the office)|directions|how do i get there)\b/],
  ["parking", /\b(park|parking|garage)\b/],
  ["insurance", /\b(insurance|insurer|insured|coverage|cover|delta dental|aetna|cigna|metlife)\b/],
  [
    "cancellation_policy",
    /\b(cancellation (policy|fee)|late cancel\w*|fee for cancel\w*|charge for cancel\w*|notice (to|for) cancel\w*)\b/,
  ],
];

const IDENTITY =
  /\b(this is|my name is|calling (for|on behalf of|from)|on behalf of|assistant|speaking for|calling with)\b/;
const REASON =
  /\b(calling (about|to|regarding|because|with)|(i am|im) calling|the reason|regarding|about (an?|the|my|her|his|their) \w+|would like to|want to|need to|appointment)\b/;
const LACKS =
  /\b(dont have|do not have|not sure|dont know|do not know|no idea|unable to (provide|give)|can ?not (provide|give)|cant (provide|give)|wasnt given|was not given|not (with|available to) me|have no)\b/;
const CLOSING =
  /\b((thats|that is) (all|it|everything)|nothing else|no more|all set|goodbye|good bye|bye|have a (good|great|nice) (day|one))\b/;
const AFFIRM =
  /\b(yes|yeah|yep|correct|right|exactly|(thats|that is) (the one|it|right)|sounds good|please do|go ahead|works|perfect)\b/;
const OUT_OF_SCOPE =
  /\b(bill|billing|invoice|payment|pay|refund|prescription\w*|medication|results|x ray|records|referral)\b/;

/**
 * Reads what a callee heard in one turn as intents, tolerant of wording: synonyms, word order, numbers
 * and dates in digits or in words. `people` are the full names this callee would recognise.
 */
export function understand(text: string, people: readonly string[] = []): Understood {
  const tokens = wordsToDigits(tokenize(text));
  const plain = tokens.join(" ");
  const requests = REQUESTS.filter(([, re]) => re.test(plain)).map(([r]) => r);
  // "Confirm the new time" after a move is part of the move.
  if (requests.includes("reschedule") && requests.includes("confirm"))
    requests.splice(requests.indexOf("confirm"), 1);
  return {
    requests,
    topics: TOPICS.filter(([, re]) => re.test(plain)).map(([t]) => t),
    people: people.filter((name) => namesPerson(plain, name)),
    weekdays: findWeekdays(tokens),
    dates: findDates(tokens),
    times: findTimes(tokens),
    identity: IDENTITY.test(plain),
    reason: requests.length > 0 || REASON.test(plain),
    lacks: LACKS.test(plain),
    closing: CLOSING.test(plain),
    affirm: AFFIRM.test(plain),
    outOfScope: OUT_OF_SCOPE.test(plain),
  };
}

/** True when the text names the person: the full name, or a title and the family name. */
function namesPerson(plain: string, fullName: string): boolean {
  const parts = tokenize(fullName);
  const family = parts.at(-1);
  // "s?": a possessive ("Jordan Lee's") loses its apostrophe in tokenize.
  if (new RegExp(`\\b${parts.join(" ")}s?\\b`).test(plain)) return true;
  return family !== undefined && new RegExp(`\\b(mr|mrs|ms|miss|mx|dr|doctor) ${family}s?\\b`).test(plain);
}

/** True when `date` is the same calendar day (a year, when both give one, must match too). */
export function sameDate(a: CalendarDate, b: CalendarDate): boolean {
  return (
    a.month === b.month &&
    a.day === b.day &&
    (a.year === undefined || b.year === undefined || a.year === b.year)
  );
}

const HOLD_REQUEST =
  /\b(please hold|hold on|hold the line|bear with me|one moment|(connecting|transferring|patching) (you|them|him|her)|put (you|them|him|her) through)\b/;
const STILL_CONNECTING =
  /\b(still (connecting|ringing|trying|here|on the line)|(thank you|thanks) for holding|connecting you|(phone|line) is ringing|one moment)\b/;
const NEW_VOICE_GREETS = /\b(hello|hi)\b.*\b(this is|my name is|its)\b/;

/** The caller asks the callee to hold while it connects someone ("I'm connecting you now, please hold"). */
export function asksToHold(text: string): boolean {
  return HOLD_REQUEST.test(tokenize(text).join(" "));
}

/** Words a caller says to someone it keeps on hold: "still connecting you", "thanks for holding". */
export function keepsOnHold(text: string): boolean {
  const plain = tokenize(text).join(" ");
  return STILL_CONNECTING.test(plain) && !CLOSING.test(plain);
}

/** Someone new introduces themselves on the line ("Hello, this is Chris"): the person put through. */
export function greetsAsNewcomer(text: string): boolean {
  return NEW_VOICE_GREETS.test(tokenize(text).join(" "));
}
