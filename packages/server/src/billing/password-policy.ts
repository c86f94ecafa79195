import { createRequire } from "node:module";

export const PASSWORD_MIN_CHARS = 10;
export const PASSWORD_MAX_CHARS = 200;

/**
 * The ~50,000 most common passwords of leaked lists, as zxcvbn-ts maintains them. Its dictionaries are
 * loaded on the first password checked, not at start: a service that signs nobody up never needs them.
 */
let common: ReadonlySet<string> | undefined;
const commonPasswords = () => {
  common ??= new Set(
    (
      createRequire(import.meta.url)(
        "@zxcvbn-ts/language-common",
      ) as typeof import("@zxcvbn-ts/language-common")
    ).dictionary["passwords-common"],
  );
  return common;
};

/**
 * Why a new password is refused, or null when it may be used. Length alone lets `1234567890` through,
 * so common passwords and the account's own email are refused too.
 */
export function passwordProblem(password: string, email?: string): string | null {
  const meaningful = password.trim();
  if (meaningful.length < PASSWORD_MIN_CHARS || password.length > PASSWORD_MAX_CHARS)
    return `The password must be ${PASSWORD_MIN_CHARS} to ${PASSWORD_MAX_CHARS} characters.`;
  const lower = meaningful.toLowerCase();
  if (commonPasswords().has(lower) || /^(.)\1*$/u.test(lower))
    return "This password is one of the most common ones. Choose another.";
  const address = email?.trim().toLowerCase();
  if (address && (lower === address || lower === address.split("@")[0]))
    return "The password must not be your email address.";
  return null;
}
