import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("config", () => {
  it("defaults to the embedded setup: SQLite in ./data, sandbox carrier, port 8787", () => {
    const c = loadConfig({});
    expect(c.port).toBe(8787);
    expect(c.database.kind).toBe("sqlite");
    expect(c.carrier.kind).toBe("sandbox");
    expect(c.billing.freeSeconds).toBe(1200);
    // The sandbox's agent hears with pocketsphinx when it is installed, unless told not to.
    expect(c.carrier.sandbox.usePocketsphinx).toBe(true);
    expect(loadConfig({ CLAWCALL_SANDBOX_POCKETSPHINX: "false" }).carrier.sandbox.usePocketsphinx).toBe(
      false,
    );
  });

  it("names the variable when a value is bad", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadConfig({ CLAWCALL_FREE_SECONDS: "-5" })).toThrow(/CLAWCALL_FREE_SECONDS/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ CLAWCALL_CARRIER: "twilio" })).toThrow(/CLAWCALL_CARRIER/);
    expect(() => loadConfig({ CLAWCALL_CHANNEL_LIMIT: "0" })).toThrow(/CLAWCALL_CHANNEL_LIMIT/);
    expect(() => loadConfig({ TELNYX_AMD: "maybe" })).toThrow(/TELNYX_AMD/);
    expect(loadConfig({}).carrier.telnyx.answeringMachineDetection).toBe("detect_beep");
    expect(loadConfig({ CLAWCALL_CHANNEL_LIMIT: "" }).carrier.channelLimit).toBeUndefined();
    expect(loadConfig({ CLAWCALL_CHANNEL_LIMIT: "4" }).carrier.channelLimit).toBe(4);
  });

  it("reads ElevenLabs' chunk schedule, and names what is wrong with one ElevenLabs would refuse", () => {
    const xi = { ELEVENLABS_API_KEY: "xi-key" };
    expect(loadConfig(xi).providers.elevenlabs?.chunkLengthSchedule).toBeUndefined();
    expect(
      loadConfig({ ...xi, ELEVENLABS_CHUNK_LENGTH_SCHEDULE: " 50, 120,160 " }).providers.elevenlabs
        ?.chunkLengthSchedule,
    ).toEqual([50, 120, 160]);
    expect(
      loadConfig({ ...xi, ELEVENLABS_CHUNK_LENGTH_SCHEDULE: "" }).providers.elevenlabs?.chunkLengthSchedule,
    ).toBeUndefined();
    for (const bad of ["49", "501", "50,,120", "fifty", "50.5", "-50", Array(11).fill("60").join(",")]) {
      expect(() => loadConfig({ ...xi, ELEVENLABS_CHUNK_LENGTH_SCHEDULE: bad }), bad).toThrow(
        /ELEVENLABS_CHUNK_LENGTH_SCHEDULE: up to 10 character counts from 50 to 500/,
      );
    }
  });

  it("lists every missing Telnyx setting at once", () => {
    try {
      loadConfig({ CLAWCALL_CARRIER: "telnyx", TELNYX_API_KEY: "KEY" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const text = (e as ConfigError).problems.join("\n");
      expect(text).toMatch(/TELNYX_PUBLIC_KEY/);
      expect(text).toMatch(/CLAWCALL_CALLER_NUMBERS/);
      expect(text).not.toMatch(/TELNYX_API_KEY/);
    }
  });

  it("treats empty strings as unset and picks Postgres from DATABASE_URL", () => {
    expect(loadConfig({ OPENAI_API_KEY: "" }).providers.openai).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: "postgres://u@localhost/db" }).database.kind).toBe("postgres");
  });

  it("turns Stripe payments on only with both secrets, naming the one missing", () => {
    const off = loadConfig({});
    expect(off.payments.stripe).toBeUndefined();
    expect(off.payments.packages).toEqual([
      { id: "60", minutes: 60, amount: 900 },
      { id: "300", minutes: 300, amount: 3900 },
    ]);
    expect(off.payments.currency).toBe("usd");
    const on = loadConfig({
      STRIPE_SECRET_KEY: "sk_test_123",
      STRIPE_WEBHOOK_SECRET: "whsec_abc",
      CLAWCALL_STRIPE_CURRENCY: "EUR",
      CLAWCALL_STRIPE_PACKAGES: " 30:500 ",
      CLAWCALL_STRIPE_API_BASE: "http://127.0.0.1:12111",
    });
    expect(on.payments).toEqual({
      stripe: { secretKey: "sk_test_123", webhookSecret: "whsec_abc", apiBase: "http://127.0.0.1:12111" },
      packages: [{ id: "30", minutes: 30, amount: 500 }],
      currency: "eur",
    });
    expect(() => loadConfig({ STRIPE_SECRET_KEY: "sk_test_123" })).toThrow(
      /STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY/,
    );
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: "whsec_abc" })).toThrow(
      /STRIPE_SECRET_KEY: required when STRIPE_WEBHOOK_SECRET/,
    );
  });

  it("names the Stripe variable whose value is bad, without repeating a secret", () => {
    const both = { STRIPE_SECRET_KEY: "sk_test_1", STRIPE_WEBHOOK_SECRET: "whsec_1" };
    const problem = (env: Record<string, string>) => {
      try {
        loadConfig({ ...both, ...env });
      } catch (e) {
        return (e as ConfigError).problems.join("\n");
      }
      return "";
    };
    expect(problem({ STRIPE_SECRET_KEY: "pk_live_publishable" })).toMatch(/^STRIPE_SECRET_KEY: /);
    expect(problem({ STRIPE_SECRET_KEY: "pk_live_publishable" })).not.toContain("pk_live_publishable");
    expect(problem({ STRIPE_WEBHOOK_SECRET: "secret" })).toMatch(/^STRIPE_WEBHOOK_SECRET: /);
    expect(problem({ CLAWCALL_STRIPE_CURRENCY: "dollars" })).toMatch(/^CLAWCALL_STRIPE_CURRENCY: /);
    expect(problem({ CLAWCALL_STRIPE_API_BASE: "ftp://127.0.0.1" })).toMatch(/^CLAWCALL_STRIPE_API_BASE: /);
    expect(problem({ CLAWCALL_STRIPE_API_BASE: "http://127.0.0.1:9/v1" })).toMatch(
      /CLAWCALL_STRIPE_API_BASE/,
    );
    for (const bad of ["", "60", "60:0", "0:900", "60:9.5", "-60:900", "60:900,60:1000", "a:b"]) {
      expect(problem({ CLAWCALL_STRIPE_PACKAGES: bad || " , " }), bad).toMatch(/^CLAWCALL_STRIPE_PACKAGES: /);
    }
    const eleven = Array.from({ length: 11 }, (_, i) => `${i + 1}:100`).join(",");
    expect(problem({ CLAWCALL_STRIPE_PACKAGES: eleven })).toMatch(/at most 10/);
    expect(problem({ CLAWCALL_STRIPE_PACKAGES: eleven.split(",").slice(0, 10).join(",") })).toBe("");
  });

  it("turns outgoing mail on only with a server and a sender, naming what is wrong without the password", () => {
    expect(loadConfig({}).mail).toBeUndefined();
    const mail = {
      CLAWCALL_SMTP_URL: "smtps://u:p4ss@mail.example.test:465",
      CLAWCALL_MAIL_FROM: "a@example.test",
    };
    expect(loadConfig(mail).mail).toEqual({ smtpUrl: mail.CLAWCALL_SMTP_URL, from: "a@example.test" });
    const problem = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        return (e as ConfigError).problems.join("\n");
      }
      return "";
    };
    expect(problem({ CLAWCALL_SMTP_URL: mail.CLAWCALL_SMTP_URL })).toMatch(/^CLAWCALL_MAIL_FROM: required/);
    expect(problem({ CLAWCALL_MAIL_FROM: "a@example.test" })).toMatch(/^CLAWCALL_SMTP_URL: required/);
    const bad = problem({ ...mail, CLAWCALL_SMTP_URL: "https://u:p4ss@mail.example.test" });
    expect(bad).toMatch(/^CLAWCALL_SMTP_URL: /);
    expect(bad).not.toContain("p4ss");
    expect(problem({ ...mail, CLAWCALL_MAIL_FROM: "a@example.test, b@example.test" })).toMatch(
      /^CLAWCALL_MAIL_FROM: /,
    );
    expect(problem({ ...mail, CLAWCALL_MAIL_FROM: "ClawCall <a@example.test>" })).toBe("");
  });
});
