// Room mail/: outgoing mail: settings, the SMTP transport (loaded when configured), the sign-up mails.

/** One plain-text mail to one person. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * The seam between the pages and a mail server. Only types live here, so the pages can depend on it
 * without loading nodemailer; the SMTP adapter is imported when outgoing mail is configured.
 */
export interface Mailer {
  /** For the start-up banner, e.g. "SMTP at mail.example.com:587"; never a credential or an address. */
  describe(): string;
  /**
   * Hands a mail to the server in the background: a page's answer must not wait on (nor its timing
   * depend on) a mail server. A failure is logged without the address and not retried.
   */
  post(mail: OutgoingMail): void;
  /** Waits a little for mails still being handed over, then lets go. */
  close(): Promise<void>;
}

/**
 * One plain address, nothing a mail library would read as a list, a display name or a route: a sign-up
 * form must not be able to make the service write to anyone but the address typed.
 */
export function isDeliverableAddress(address: string): boolean {
  return (
    address.length <= 254 &&
    /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\.]+(\.[^\s@,;:<>()[\]"\\.]+)+$/.test(address)
  );
}
