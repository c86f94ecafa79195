import type { Readable, Writable } from "node:stream";

/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  now: () => Date;
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM). */
  interrupted: () => Promise<string>;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    // CLAWCALL_NOW pins the clock for the business-hours warning (tests, demos).
    now: () => (process.env.CLAWCALL_NOW ? new Date(process.env.CLAWCALL_NOW) : new Date()),
    interrupted: () =>
      new Promise((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      }),
  };
}

/** Removes the API key from anything printed, except where the user asked for it (`key show`). */
export function withoutKey<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutKey) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => k !== "api_key")
        .map(([k, v]) => [k, withoutKey(v)]),
    ) as T;
  }
  return value;
}

/** "(212) 555-0101", "212.555.0101", "1 212 555 0101" → "+12125550101"; anything else is left for the service to judge. */
export function normalizePhone(input: string): string {
  const trimmed = input.trim();
  const digits = trimmed.replace(/[\s().-]/g, "");
  if (/^\d{10}$/.test(digits)) return `+1${digits}`;
  if (/^1\d{10}$/.test(digits)) return `+${digits}`;
  return digits.startsWith("+") ? digits : trimmed;
}
