import { timeZoneOf } from "./nanp-time-zones.ts";

export interface LocalTimeCheck {
  timeZone: string;
  /** e.g. "9:05 PM" */
  localTime: string;
  weekday: string;
  /** Before 8 AM, from 6 PM, or a Saturday/Sunday where the number is. */
  outsideHours: boolean;
  /** A sentence for the user, only when outsideHours. */
  warning: string | null;
}

const OPEN_HOUR = 8;
const CLOSE_HOUR = 18;

/** The callee's local time from the area code; null when the code gives no time zone. */
export function checkLocalTime(e164: string, now: Date = new Date()): LocalTimeCheck | null {
  const timeZone = timeZoneOf(e164);
  if (!timeZone) return null;
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "long",
    hour: "numeric",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const hour = Number(part("hour"));
  const minute = part("minute");
  const weekday = part("weekday");
  const weekend = weekday === "Saturday" || weekday === "Sunday";
  const localTime = `${hour % 12 === 0 ? 12 : hour % 12}:${minute} ${hour < 12 ? "AM" : "PM"}`;
  const outsideHours = weekend || hour < OPEN_HOUR || hour >= CLOSE_HOUR;
  const why = weekend ? `it is ${weekday}` : hour < OPEN_HOUR ? "before 8 AM" : "after 6 PM";
  return {
    timeZone,
    localTime,
    weekday,
    outsideHours,
    warning: outsideHours
      ? `It is ${localTime} on ${weekday} where ${e164} is (${timeZone}): ${why}, so a business there is probably closed.`
      : null,
  };
}
