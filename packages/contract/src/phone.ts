import { z } from "zod";

/** NANP in E.164: +1, area code and exchange each starting with 2-9. */
export const NANP_PATTERN = /^\+1[2-9]\d{2}[2-9]\d{6}$/;

export const PhoneNumberSchema = z
  .string()
  .regex(NANP_PATTERN, "a US or Canada number in the form +1XXXXXXXXXX");

export function isNanpNumber(value: unknown): value is string {
  return typeof value === "string" && NANP_PATTERN.test(value);
}

/**
 * Numbers that are not service codes but still reach a crisis line: an agent must never tie one up.
 * 1-800-273-8255 was the suicide prevention line's number before 988 and still reaches it.
 */
const CRISIS_LINES: ReadonlySet<string> = new Set(["+18002738255"]);

/**
 * Why a well-formed number must never be dialled, or null when it may be.
 * N11 service codes (211..911), crisis and emergency lines, premium-rate prefixes, and directory
 * assistance (NPA-555-1212), which is billed per call.
 */
export function refusedDestinationReason(e164: string): string | null {
  const area = e164.slice(2, 5);
  const exchange = e164.slice(5, 8);
  const isN11 = (code: string) => code[1] === "1" && code[2] === "1";
  if (isN11(area) || isN11(exchange)) return "N11 service and emergency codes are never dialled";
  if (area === "988" || exchange === "988" || CRISIS_LINES.has(e164)) return "crisis lines are never dialled";
  if (area === "900" || area === "976" || exchange === "976") return "premium-rate numbers are never dialled";
  if (exchange === "555" && e164.slice(8) === "1212") return "directory assistance is never dialled";
  return null;
}
