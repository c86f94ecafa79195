import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { runCli } from "./program.ts";

function io(now = "2026-03-04T17:00:00Z") {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => {
    out += d;
  });
  stderr.on("data", (d) => {
    err += d;
  });
  const value: CliIo = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    // Port 9 on loopback: nothing listens, so a request fails fast without leaving the machine.
    env: { HOME: "/nonexistent-clawcall-home", CLAWCALL_BASE_URL: "http://127.0.0.1:9" },
    now: () => new Date(now),
    interrupted: () => new Promise(() => {}),
  };
  return { value, out: () => out, err: () => err };
}

describe("clawcall argument parsing", () => {
  it("--help shows examples and the exit codes, and exits 0", async () => {
    const t = io();
    expect(await runCli(["--help"], t.value)).toBe(EXIT.ok);
    expect(t.out()).toContain("Examples:");
    expect(t.out()).toContain("10  the line was busy");
    const call = io();
    expect(await runCli(["call", "--help"], call.value)).toBe(EXIT.ok);
    expect(call.out()).toContain("--bridge-number <number>");
    expect(call.out()).toContain("--wait");
  });

  it("rejects unknown commands, missing --to and bad voices with the usage code", async () => {
    expect(await runCli(["dial"], io().value)).toBe(EXIT.usage);
    expect(await runCli(["call", "--task", "x"], io().value)).toBe(EXIT.usage);
    expect(await runCli(["call", "--to", "+12125550100", "--task", "x", "--voice", "bob"], io().value)).toBe(
      EXIT.usage,
    );
    expect(await runCli(["--timeout", "soon", "balance"], io().value)).toBe(EXIT.usage);
  });

  it("warns before calling a number where it is the weekend, then goes on (not a TTY)", async () => {
    const t = io("2026-03-07T16:00:00Z");
    const code = await runCli(
      ["call", "--to", "+12125550100", "--task", "Confirm the appointment."],
      t.value,
    );
    expect(t.err()).toContain("Warning: It is 11:00 AM on Saturday where +12125550100 is (America/New_York)");
    expect(t.err()).toContain("Error (connection_error)");
    expect(code).toBe(EXIT.unavailable);
  });

  it("prints errors as JSON on stdout with --json, wherever the flag stands", async () => {
    for (const args of [
      ["--json", "call", "--to", "+12125550100", "--task", "x"],
      ["calls", "--json", "--api-key", "clawcall_sk_x"],
    ]) {
      const t = io();
      const code = await runCli(args, t.value);
      expect(JSON.parse(t.out())).toMatchObject({ error: { code: "connection_error", status: null } });
      expect(code).toBe(EXIT.unavailable);
    }
  });
});
