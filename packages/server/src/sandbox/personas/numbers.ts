/**
 * Numbers, dates and times in what the agent said, whichever way they were written: "10:00 am", "ten in
 * the morning", "March 3rd", "the third of March", "3/3", "April twelfth, nineteen eighty-five". Words
 * become digits first, so every later pattern only has to read digits.
 */

const ONES: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const ORDINAL_ONES: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
};
const ORDINAL_TENS: Record<string, number> = { twentieth: 20, thirtieth: 30 };

export const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
] as const;
const MONTH_ABBREVIATIONS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
export const WEEKDAYS = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Lower case, plain words and digits; "10:30" and "3/4/1985" kept whole; "1st" becomes "1"; "don't" is "dont". */
export function tokenize(text: string): string[] {
  const cleaned = text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\b(a)\.\s?m\b\.?|\ba\.m\./g, " am ")
    .replace(/\b(p)\.\s?m\b\.?|\bp\.m\./g, " pm ")
    .replace(/(\d)(am|pm)\b/g, "$1 $2")
    .replace(/(\d+)(st|nd|rd|th)\b/g, "$1")
    .replace(/-/g, " ")
    .replace(/[^a-z0-9:/' ]+/g, " ")
    .replace(/'/g, "");
  return cleaned.split(/\s+/).filter((t) => t.length > 0);
}

/** Replaces runs of number words by digits ("twenty one" → "21", "nineteen eighty five" → "1985"). */
export function wordsToDigits(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const [value, used] = readNumber(tokens, i);
    if (used === 0) {
      out.push(tokens[i]!);
      i++;
      continue;
    }
    out.push(String(value));
    i += used;
  }
  return out;
}

/** A number spelled in words at `i` (0 words used when there is none). */
function readNumber(tokens: readonly string[], i: number): [number, number] {
  const small = readSmall(tokens, i);
  if (small[1] === 0) return small;
  const [first, used] = small;
  const next = tokens[i + used];
  // "two thousand (and) five"
  if (next === "thousand" && first < 10) {
    let j = i + used + 1;
    if (tokens[j] === "and") j++;
    const [rest, more] = readSmall(tokens, j);
    return more > 0 ? [first * 1000 + rest, j - i + more] : [first * 1000, used + 1];
  }
  // Years said in two halves: "nineteen eighty five", "twenty twenty six".
  if ((first === 19 || first === 20) && used === 1) {
    const [second, more] = readSmall(tokens, i + 1);
    if (more > 0 && second >= 10) return [first * 100 + second, 1 + more];
  }
  return small;
}

/** 0..99, cardinal or ordinal, in words: "seven", "forty two", "twenty first", "thirtieth". */
function readSmall(tokens: readonly string[], i: number): [number, number] {
  const t = tokens[i];
  if (t === undefined) return [0, 0];
  if (t in ONES) return [ONES[t]!, 1];
  if (t in ORDINAL_ONES) return [ORDINAL_ONES[t]!, 1];
  if (t in ORDINAL_TENS) return [ORDINAL_TENS[t]!, 1];
  if (t in TENS) {
    const n = tokens[i + 1];
    if (n !== undefined && n in ONES && ONES[n]! < 10 && ONES[n]! > 0) return [TENS[t]! + ONES[n]!, 2];
    if (n !== undefined && n in ORDINAL_ONES && ORDINAL_ONES[n]! < 10)
      return [TENS[t]! + ORDINAL_ONES[n]!, 2];
    return [TENS[t]!, 1];
  }
  return [0, 0];
}

export interface CalendarDate {
  month: number;
  day: number;
  year?: number;
}

const isDay = (n: number) => Number.isInteger(n) && n >= 1 && n <= 31;
const monthOf = (t: string | undefined): number | null => {
  if (t === undefined) return null;
  const full = MONTHS.indexOf(t as (typeof MONTHS)[number]);
  if (full >= 0) return full + 1;
  return MONTH_ABBREVIATIONS[t] ?? null;
};
const num = (t: string | undefined): number | null => (t !== undefined && /^\d+$/.test(t) ? Number(t) : null);
const yearAt = (tokens: readonly string[], i: number): number | undefined => {
  const y = num(tokens[i]);
  return y !== null && y >= 1900 && y <= 2100 ? y : undefined;
};

/** Calendar dates in digit tokens: "march 3 (1985)", "3 of march", "3/3(/1985)", "1985/03/03". */
export function findDates(tokens: readonly string[]): CalendarDate[] {
  const found: CalendarDate[] = [];
  const add = (month: number, day: number, year?: number) => {
    if (month >= 1 && month <= 12 && isDay(day)) found.push(year ? { month, day, year } : { month, day });
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const slash = /^(\d{1,4})\/(\d{1,2})(?:\/(\d{2,4}))?$/.exec(t);
    if (slash) {
      const [a, b, c] = [Number(slash[1]), Number(slash[2]), slash[3] ? Number(slash[3]) : undefined];
      if (a > 31 && c !== undefined) add(b, c, a);
      else if (a <= 12) add(a, b, c === undefined ? undefined : c < 100 ? 1900 + c + (c < 30 ? 100 : 0) : c);
      continue;
    }
    const month = monthOf(t);
    if (month === null) continue;
    const after = num(tokens[i + 1]);
    if (after !== null && isDay(after)) {
      add(month, after, yearAt(tokens, i + 2));
      continue;
    }
    // "the 3 of march", "3 march"
    const before = tokens[i - 1] === "of" ? num(tokens[i - 2]) : num(tokens[i - 1]);
    if (before !== null && isDay(before)) add(month, before, yearAt(tokens, i + 1));
  }
  return found;
}

/** Weekday names said ("tuesday", "tues"). */
export function findWeekdays(tokens: readonly string[]): Weekday[] {
  const out: Weekday[] = [];
  for (const t of tokens) {
    const day = WEEKDAYS.find(
      (d) => t === d || (t.length >= 3 && d.startsWith(t) && t !== "sun" && t !== "mon"),
    );
    if (day !== undefined) out.push(day);
    else if (t === "mon") out.push("monday");
  }
  return out;
}

/** Times of day as minutes after midnight: "10 am", "10:30", "two thirty in the afternoon", "noon". */
export function findTimes(tokens: readonly string[]): number[] {
  const found: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "noon" || t === "midday") {
      found.push(12 * 60);
      continue;
    }
    let hour: number | null = null;
    let minute = 0;
    let j = i + 1;
    const clock = /^(\d{1,2}):(\d{2})$/.exec(t);
    if (clock) {
      hour = Number(clock[1]);
      minute = Number(clock[2]);
    } else {
      const n = num(t);
      // A number right after a month is its day, not a time.
      if (n === null || n < 1 || n > 12 || monthOf(tokens[i - 1]) !== null) continue;
      hour = n;
      const m = num(tokens[j]);
      if (m !== null && m >= 10 && m <= 59) {
        minute = m;
        j++;
      } else if (tokens[j] === "oclock" || (tokens[j] === "o" && tokens[j + 1] === "clock")) {
        j += tokens[j] === "o" ? 2 : 1;
      }
    }
    if (hour > 23 || minute > 59) continue;
    const rest = tokens.slice(j, j + 3).join(" ");
    let half: "am" | "pm" | null = null;
    if (/^(am|in the morning)\b/.test(rest)) half = "am";
    else if (/^(pm|in the afternoon|in the evening|at night)\b/.test(rest)) half = "pm";
    const saidAt = tokens[i - 1] === "at" || tokens[i - 1] === "for" || tokens[i - 1] === "to";
    if (half === null && !clock && !saidAt) continue;
    if (half === null && hour <= 12) half = hour >= 7 && hour <= 11 ? "am" : "pm";
    if (half === "pm" && hour < 12) hour += 12;
    if (half === "am" && hour === 12) hour = 0;
    found.push(hour * 60 + minute);
  }
  return found;
}
