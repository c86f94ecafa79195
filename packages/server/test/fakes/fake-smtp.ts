import net from "node:net";

/** A mail as the fake SMTP server received it, its body decoded for reading. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The user name of the AUTH the client sent, if any. */
  user: string | undefined;
  subject: string;
  text: string;
}

export interface FakeSmtp {
  /** An smtp:// URL with credentials, for CLAWCALL_SMTP_URL. */
  url: string;
  mails: ReceivedMail[];
  /** Resolves with the first mail to `to` after `after` mails were received (the next one by default). */
  waitFor(to: string, after?: number, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * Just enough of an SMTP server (RFC 5321: EHLO, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, QUIT) on
 * 127.0.0.1 to receive what the service sends, as a mail server would, without anything leaving the machine.
 */
export async function startFakeSmtp(): Promise<FakeSmtp> {
  const mails: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffer = "";
    let inData = false;
    let loginStep: "user" | "pass" | null = null;
    let envelope = { from: "", to: [] as string[], user: undefined as string | undefined };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply("220 fake-smtp ESMTP ready");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end === -1) return;
          mails.push({ ...envelope, ...parseMessage(buffer.slice(0, end)) });
          buffer = buffer.slice(end + 5);
          inData = false;
          envelope = { from: "", to: [], user: envelope.user };
          reply("250 2.0.0 queued");
          for (const wake of waiters) wake();
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol === -1) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        if (loginStep === "user") {
          envelope.user = Buffer.from(line, "base64").toString();
          loginStep = "pass";
          reply("334 UGFzc3dvcmQ6");
          continue;
        }
        if (loginStep === "pass") {
          loginStep = null;
          reply("235 2.7.0 accepted");
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") reply("250-fake-smtp\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8");
        else if (verb === "HELO") reply("250 fake-smtp");
        else if (verb === "AUTH") {
          const [, mechanism, initial] = line.split(" ");
          if (mechanism?.toUpperCase() === "PLAIN" && initial) {
            envelope.user = Buffer.from(initial, "base64").toString().split("\0")[1];
            reply("235 2.7.0 accepted");
          } else {
            loginStep = "user";
            reply("334 VXNlcm5hbWU6");
          }
        } else if (verb === "MAIL") {
          envelope.from = addressIn(line);
          reply("250 2.1.0 ok");
        } else if (verb === "RCPT") {
          envelope.to.push(addressIn(line));
          reply("250 2.1.5 ok");
        } else if (verb === "DATA") {
          inData = true;
          reply("354 go ahead");
        } else if (verb === "QUIT") {
          reply("221 2.0.0 bye");
          socket.end();
        } else reply("250 ok");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://mailer:mail-secret@127.0.0.1:${port}`,
    mails,
    waitFor(to, after = mails.length, timeoutMs = 10_000) {
      const find = () => mails.slice(after).find((m) => m.to.includes(to));
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find();
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const addressIn = (line: string) => /<([^>]*)>/.exec(line)?.[1] ?? "";

/** Headers and a text body, undoing dot-stuffing and quoted-printable or base64 transfer encoding. */
function parseMessage(raw: string): { subject: string; text: string } {
  const data = raw.replace(/\r\n\.\./g, "\r\n.");
  const split = data.indexOf("\r\n\r\n");
  const head = data.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const body = data.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}: *(.*)$`, "im").exec(head)?.[1]?.trim() ?? "";
  const encoding = header("Content-Transfer-Encoding").toLowerCase();
  const bytes =
    encoding === "quoted-printable"
      ? Buffer.from(
          body
            .replace(/=\r\n/g, "")
            .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
          "latin1",
        )
      : encoding === "base64"
        ? Buffer.from(body, "base64")
        : Buffer.from(body, "latin1");
  return { subject: header("Subject"), text: bytes.toString("utf8") };
}
