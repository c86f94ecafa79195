import { z } from "zod";
import { type EnvValues, optionalString } from "../env/fields.ts";

/** Outgoing mail's variables: without them sign-up cannot check that an address belongs to the person. */
export const MAIL_ENV = {
  CLAWCALL_SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(
        /^smtps?:\/\/[^/?#\s]+\/?$/,
        "must be an smtp:// or smtps:// URL such as smtps://user:password@mail.example.com:465",
      )
      .optional(),
  ),
  CLAWCALL_MAIL_FROM: optionalString.pipe(
    z
      .string()
      .regex(
        /^([^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/,
        "must be an address such as clawcall@example.com or ClawCall <clawcall@example.com>",
      )
      .optional(),
  ),
};

export interface MailSettings {
  /** Carries the server's credentials: never logged. */
  smtpUrl: string;
  from: string;
}

/** The mail settings (undefined when mail is off), or the problems with them in words that name each variable. */
export function mailSettings(
  e: EnvValues<typeof MAIL_ENV>,
): { ok: true; settings: MailSettings | undefined } | { ok: false; problems: string[] } {
  if (!e.CLAWCALL_SMTP_URL && !e.CLAWCALL_MAIL_FROM) return { ok: true, settings: undefined };
  if (!e.CLAWCALL_SMTP_URL)
    return { ok: false, problems: ["CLAWCALL_SMTP_URL: required when CLAWCALL_MAIL_FROM is set"] };
  if (!e.CLAWCALL_MAIL_FROM)
    return { ok: false, problems: ["CLAWCALL_MAIL_FROM: required when CLAWCALL_SMTP_URL is set"] };
  try {
    if (!new URL(e.CLAWCALL_SMTP_URL).hostname) throw new Error("no host");
  } catch {
    return { ok: false, problems: ["CLAWCALL_SMTP_URL: must name the mail server's host"] };
  }
  return { ok: true, settings: { smtpUrl: e.CLAWCALL_SMTP_URL, from: e.CLAWCALL_MAIL_FROM } };
}
