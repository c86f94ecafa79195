// Room observability/: logging with redaction, metrics and per-call latency records.
import pino, { type Logger } from "pino";

/**
 * Fields that may hold a key, a phone number, a transcript, a task or keypad digits. They are only ever
 * logged under these names, and pino replaces them, so such data never reaches a log line.
 */
export const REDACTED_FIELDS = [
  "apiKey",
  "api_key",
  "key",
  "token",
  "password",
  "phone",
  "to",
  "from",
  "bridge_number",
  "numbers",
  "transcript",
  "text",
  "task",
  "digits",
  "email",
  'headers["x-api-key"]',
  "headers.authorization",
  "headers.cookie",
];

/** Writes to stdout, or to `destination` (tests read what would have been logged). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: [...REDACTED_FIELDS, ...REDACTED_FIELDS.map((f) => `*.${f}`)],
      censor: "[redacted]",
    },
    base: undefined,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Request line for access logs: the path only, since query strings can carry a key (`?token=`). */
export function requestLogFields(req: { method: string; url: string; ip?: string; id?: unknown }) {
  const q = req.url.indexOf("?");
  return { method: req.method, path: q === -1 ? req.url : req.url.slice(0, q), reqId: req.id };
}

export type { Logger };
