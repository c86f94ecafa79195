import type { OutgoingMail } from "./mail.ts";

/** The mail that finishes a sign-up: the link is the only proof that the address is the person's. */
export function confirmationMail(to: string, link: string, hours: number): OutgoingMail {
  return {
    to,
    subject: "Finish signing up to ClawCall",
    text: `Someone, hopefully you, signed up to ClawCall with this email address.

To finish, open this link within ${hours} hours and enter the password you chose:

${link}

The link works once. If you did not sign up, ignore this mail: no account is made without it.
`,
  };
}

/**
 * What an address that already has an account gets instead: the sign-up page said the same to whoever
 * asked, so only the address's owner learns that it has an account. It never carries the password.
 */
export function existingAccountMail(to: string, signInLink: string): OutgoingMail {
  return {
    to,
    subject: "Someone tried to sign up to ClawCall with your address",
    text: `Someone, perhaps you, tried to sign up to ClawCall with this email address, which already has an
account. Nothing was changed: your password and your keys are as they were.

If it was you, sign in instead:

${signInLink}

To link your assistant's key, open the sign-in link your assistant gave you.
If it was not you, you can ignore this mail.
`,
  };
}
