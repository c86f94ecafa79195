import { createTransport } from "nodemailer";
import type { Logger } from "../observability/logger.ts";
import type { MailSettings } from "./env.ts";
import { isDeliverableAddress, type Mailer, type OutgoingMail } from "./mail.ts";

/** A mail server that does not answer must not hold a send (nor a shutdown) for minutes. */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 20_000;
const DNS_TIMEOUT_MS = 5_000;
/** How long closing waits for mails still being handed over. */
const CLOSE_WAIT_MS = 5_000;

/**
 * Mail through an SMTP server with nodemailer: smtps:// speaks TLS from the start, smtp:// upgrades with
 * STARTTLS when the server offers it. One connection per mail: sign-up mails are few.
 */
export function createSmtpMailer(settings: MailSettings, logger: Logger): Mailer {
  const transport = createTransport({
    url: settings.smtpUrl,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    dnsTimeout: DNS_TIMEOUT_MS,
    logger: false,
    debug: false,
  });
  const server = new URL(settings.smtpUrl);
  const inFlight = new Set<Promise<unknown>>();
  return {
    describe: () => `SMTP at ${server.hostname}:${server.port || (server.protocol === "smtps:" ? 465 : 587)}`,
    post(mail: OutgoingMail) {
      if (!isDeliverableAddress(mail.to)) {
        logger.warn("mail not sent: the recipient is not one plain address");
        return;
      }
      const sending = transport
        .sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text })
        .catch((err: { code?: unknown; responseCode?: unknown; command?: unknown }) => {
          // The server's own message and response can quote the recipient: only their codes are logged.
          logger.warn(
            { code: err.code, responseCode: err.responseCode, command: err.command },
            "mail not sent",
          );
        })
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    },
    async close() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((r) => {
          timer = setTimeout(r, CLOSE_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
      transport.close();
    },
  };
}
