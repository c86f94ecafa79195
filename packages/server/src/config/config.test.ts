import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("config", () => {
  it("defaults to the embedded setup: SQLite in ./data, sandbox carrier, port 8787", () => {
    const c = loadConfig({});
    expect(c.port).toBe(8787);
    expect(c.database.kind).toBe("sqlite");
    expect(c.carrier.kind).toBe("sandbox");
    expect(c.billing.freeSeconds).toBe(1200);
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
});
