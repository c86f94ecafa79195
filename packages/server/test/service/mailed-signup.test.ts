import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/logger.ts";
import { type FakeSmtp, startFakeSmtp } from "../fakes/fake-smtp.ts";
import { freshDatabase, POSTGRES_URL } from "../helpers/external-services.ts";
import { type FormPoster, formPoster, linkIn } from "../helpers/forms.ts";
import { describeWith, POSTGRES } from "../helpers/prerequisites.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const MAIL_ENV = (smtp: FakeSmtp) => ({
  CLAWCALL_SMTP_URL: smtp.url,
  CLAWCALL_MAIL_FROM: "ClawCall <clawcall@example.test>",
  // The pages limit per client; each test posts as its own clients through a (trusted loopback) proxy.
  CLAWCALL_TRUSTED_PROXIES: "loopback",
});

/** A sign-up through the form and the mailed link, as a person does it with a browser and a mailbox. */
async function signUpAndOpenLink(post: FormPoster, smtp: FakeSmtp, email: string, password: string) {
  const after = smtp.mails.length;
  const res = await post("/signup", { email, password });
  expect(res.status).toBe(202);
  const mail = await smtp.waitFor(email, after);
  return { mail, link: new URL(linkIn(mail.text, "/signup/confirm")) };
}

describe("sign-up with outgoing mail", () => {
  let smtp: FakeSmtp;
  let service: TestService;
  let post: FormPoster;
  const logLines: string[] = [];

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    service = await startTestService(MAIL_ENV(smtp), {
      logger: createLogger("debug", { write: (line: string) => void logLines.push(line) }),
    });
    post = formPoster(service);
  });
  afterAll(async () => {
    await service?.dispose();
    await smtp?.close();
  });

  it("answers the same status and page whether or not the address has an account", async () => {
    await service.billing.createAccount("taken@example.test", "an old passphrase", new Date());
    const taken = await post(
      "/signup",
      { email: "taken@example.test", password: "a guess at it" },
      "192.0.2.10",
    );
    const fresh = await post(
      "/signup",
      { email: "fresh@example.test", password: "a new passphrase" },
      "192.0.2.10",
    );
    expect(taken.status).toBe(202);
    expect(fresh.status).toBe(202);
    expect(taken.text).toContain("Check your email");
    expect(taken.text.replace("taken@example.test", "…")).toBe(fresh.text.replace("fresh@example.test", "…"));
    expect(fresh.text).not.toMatch(/exists|already|wrong/i);
  });

  it("mails an address that has an account a note with a sign-in link, never the password", async () => {
    await service.billing.createAccount("owner@example.test", "owner passphrase", new Date());
    const after = smtp.mails.length;
    await post("/signup", { email: "owner@example.test", password: "someone else's try" }, "192.0.2.11");
    const note = await smtp.waitFor("owner@example.test", after);
    expect(note.from).toBe("clawcall@example.test");
    expect(note.subject).toMatch(/tried to sign up/);
    expect(linkIn(note.text, "/signin")).toBe(`${service.url}/signin`);
    expect(note.text).not.toContain("someone else's try");
    expect(note.text).not.toContain("owner passphrase");
    expect(note.text).not.toContain("/signup/confirm");
    // The old password still signs in; the one typed at sign-up does not.
    expect(
      (await post("/signin", { email: "owner@example.test", password: "owner passphrase" })).status,
    ).toBe(200);
  });

  it("a new address gets a link that makes the account once, with the password chosen; it cannot sign in before", async () => {
    const email = "newcomer@example.test";
    const { mail, link } = await signUpAndOpenLink(post, smtp, email, "newcomer passphrase");
    expect(mail.subject).toMatch(/Finish signing up/);
    expect(mail.text).not.toContain("newcomer passphrase");
    expect(link.origin).toBe(service.url);

    const before = await post("/signin", { email, password: "newcomer passphrase" }, "192.0.2.12");
    expect(before.status).toBe(401);

    // Opening the link changes nothing by itself (mail scanners open links too).
    const shown = await service.request("GET", link.pathname + link.search);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(email);
    const code = link.searchParams.get("code") ?? "";
    expect((await service.request("GET", link.pathname + link.search)).status).toBe(200);

    const wrong = await post("/signup/confirm", { code, password: "not what I chose" }, "192.0.2.12");
    expect(wrong.status).toBe(401);
    const done = await post("/signup/confirm", { code, password: "newcomer passphrase" }, "192.0.2.12");
    expect(done.status).toBe(201);
    expect(done.text).toContain("Account balance");

    const signin = await post("/signin", { email, password: "newcomer passphrase" }, "192.0.2.12");
    expect(signin.status).toBe(200);
    const again = await post("/signup/confirm", { code, password: "newcomer passphrase" }, "192.0.2.12");
    expect(again.status).toBe(410);
    expect(again.text).toContain("expired or was already used");
    expect((await service.request("GET", link.pathname + link.search)).status).toBe(410);
  });

  it("links the key from the sign-up link when the person chose to, once the link is followed", async () => {
    const minted = await service.request("POST", "/call", { body: { to: "+12125550100", task: "Say hi." } });
    const key = minted.body.api_key as string;
    const email = "linker@example.test";
    const after = smtp.mails.length;
    const res = await post(
      "/signup",
      { token: key, email, password: "linker passphrase", link: "yes" },
      "192.0.2.13",
    );
    expect(res.status).toBe(202);
    expect((await service.request("GET", "/me", { key })).body.email ?? null).toBeNull();
    const link = new URL(linkIn((await smtp.waitFor(email, after)).text, "/signup/confirm"));
    expect(link.search).not.toContain(key);
    const shown = await service.request("GET", link.pathname + link.search);
    expect(shown.text).toContain(key.slice(0, "clawcall_sk_".length + 6));
    const code = link.searchParams.get("code") ?? "";
    const done = await post("/signup/confirm", { code, password: "linker passphrase" }, "192.0.2.13");
    expect(done.status).toBe(201);
    expect(done.text).toContain("linked to this account");
    expect((await service.request("GET", "/me", { key })).body.email).toBe(email);
  });

  it("an unconfirmed sign-up does not hold the address: the owner's own sign-up is confirmed, the squatter's link dies", async () => {
    const email = "victim@example.test";
    const squat = await signUpAndOpenLink(post, smtp, email, "squatter passphrase");
    const own = await signUpAndOpenLink(post, smtp, email, "owner's passphrase");
    const ownCode = own.link.searchParams.get("code") ?? "";
    // Whoever opens a link they did not ask for cannot finish it without the password chosen with it.
    const squatCode = squat.link.searchParams.get("code") ?? "";
    expect((await post("/signup/confirm", { code: squatCode, password: "owner's passphrase" })).status).toBe(
      401,
    );
    expect((await post("/signup/confirm", { code: ownCode, password: "owner's passphrase" })).status).toBe(
      201,
    );
    expect((await post("/signup/confirm", { code: squatCode, password: "squatter passphrase" })).status).toBe(
      410,
    );
    expect((await post("/signin", { email, password: "squatter passphrase" })).status).toBe(401);
    expect((await post("/signin", { email, password: "owner's passphrase" })).status).toBe(200);
  });

  it("an expired link fails", async () => {
    const email = "late@example.test";
    const { link } = await signUpAndOpenLink(post, smtp, email, "late passphrase");
    const db = new SQLite(path.join(service.dataDir, "clawcall.sqlite"));
    try {
      db.prepare("UPDATE signup_confirmations SET expires_at = ? WHERE email = ?").run(
        new Date(Date.now() - 1000).toISOString(),
        email,
      );
    } finally {
      db.close();
    }
    const code = link.searchParams.get("code") ?? "";
    expect((await service.request("GET", link.pathname + link.search)).status).toBe(410);
    const late = await post("/signup/confirm", { code, password: "late passphrase" });
    expect(late.status).toBe(410);
    expect((await post("/signin", { email, password: "late passphrase" })).status).toBe(401);
  });

  it("sends one address at most three mails an hour, and one client at most ten, with the same page", async () => {
    const email = "flooded@example.test";
    const after = smtp.mails.length;
    for (let i = 0; i < 5; i++) {
      const res = await post("/signup", { email, password: `flood passphrase ${i}` }, `198.51.100.${i + 1}`);
      expect(res.status).toBe(202);
      expect(res.text).toContain("Check your email");
    }
    // A mail that was going to be sent has been by the time a later one arrives.
    await post("/signup", { email: "marker@example.test", password: "marker passphrase" }, "198.51.100.99");
    await smtp.waitFor("marker@example.test", after);
    expect(smtp.mails.slice(after).filter((m) => m.to.includes(email))).toHaveLength(3);

    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await post(
        "/signup",
        { email: `many-${i}@example.test`, password: "many passphrase" },
        "203.0.113.7",
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(10).fill(202), 429]);
  });

  it("refuses an address a mail library would read as several, without sending anything", async () => {
    const after = smtp.mails.length;
    const res = await post(
      "/signup",
      { email: "a,b@example.test", password: "list passphrase" },
      "192.0.2.14",
    );
    expect(res.status).toBe(400);
    await post("/signup", { email: "after-list@example.test", password: "list passphrase" }, "192.0.2.14");
    await smtp.waitFor("after-list@example.test", after);
    const recipients = smtp.mails.slice(after).flatMap((m) => m.to);
    expect(recipients.filter((to) => to === "a" || to.startsWith("b@") || to.includes(","))).toEqual([]);
  });

  it("logs no address, link code or password", async () => {
    const log = logLines.join("\n");
    expect(log).not.toMatch(/@example\.test/);
    expect(log).not.toMatch(/passphrase/);
    for (const mail of smtp.mails) {
      const code = /code=([\w-]+)/.exec(mail.text)?.[1];
      if (code) expect(log).not.toContain(code);
    }
  });
});

describe("sign-up with outgoing mail configured but its server down", () => {
  it("still answers the same page, and logs the failure without the address", async () => {
    const smtp = await startFakeSmtp();
    const url = smtp.url;
    await smtp.close();
    const lines: string[] = [];
    const service = await startTestService(
      { ...MAIL_ENV({ ...smtp, url }) },
      { logger: createLogger("warn", { write: (line: string) => void lines.push(line) }) },
    );
    try {
      const res = await formPoster(service)("/signup", {
        email: "lost@example.test",
        password: "lost passphrase",
      });
      expect(res.status).toBe(202);
      for (let i = 0; i < 200 && !lines.some((l) => l.includes("mail not sent")); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(lines.join("\n")).toContain("mail not sent");
      expect(lines.join("\n")).not.toContain("lost@example.test");
    } finally {
      await service.dispose();
    }
  });
});

describe("sign-up without outgoing mail", () => {
  it("makes the account at once, and the start-up lines say what that gives away", async () => {
    const service = await startTestService({ CLAWCALL_TRUSTED_PROXIES: "loopback" });
    try {
      expect(service.describe().join("\n")).toMatch(/mail: off.*cannot verify addresses/);
      const post = formPoster(service);
      const res = await post("/signup", { email: "instant@example.test", password: "instant passphrase" });
      expect(res.status).toBe(201);
      expect(
        (await post("/signin", { email: "instant@example.test", password: "instant passphrase" })).status,
      ).toBe(200);
    } finally {
      await service.dispose();
    }
  });
});

describeWith(POSTGRES, "sign-up with outgoing mail on PostgreSQL", () => {
  let db: { url: string; drop(): Promise<void> };
  let smtp: FakeSmtp;
  let service: TestService;
  beforeAll(async () => {
    db = await freshDatabase(POSTGRES_URL!);
    smtp = await startFakeSmtp();
    service = await startTestService({ ...MAIL_ENV(smtp), DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await service?.dispose();
    await smtp?.close();
    await db?.drop();
  });

  it("a second sign-up for the address waits beside the first; the link makes the account once", async () => {
    const post = formPoster(service);
    const email = "pg@example.test";
    const first = await signUpAndOpenLink(post, smtp, email, "first passphrase");
    const second = await signUpAndOpenLink(post, smtp, email, "second passphrase");
    const code = second.link.searchParams.get("code") ?? "";
    expect((await post("/signup/confirm", { code, password: "second passphrase" })).status).toBe(201);
    expect((await post("/signup/confirm", { code, password: "second passphrase" })).status).toBe(410);
    const firstCode = first.link.searchParams.get("code") ?? "";
    expect((await post("/signup/confirm", { code: firstCode, password: "first passphrase" })).status).toBe(
      410,
    );
    expect((await post("/signin", { email, password: "second passphrase" })).status).toBe(200);
    const note = await signUpAndOpenNote(post, smtp, email);
    expect(note.subject).toMatch(/tried to sign up/);
  });
});

async function signUpAndOpenNote(post: FormPoster, smtp: FakeSmtp, email: string) {
  const after = smtp.mails.length;
  expect((await post("/signup", { email, password: "a third passphrase" })).status).toBe(202);
  return smtp.waitFor(email, after);
}
