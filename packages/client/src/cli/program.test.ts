import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { callView, startStub } from "../sdk/loopback-stub.test-helper.ts";
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

describe("clawcall call --wait", () => {
  it("shows status and transcript lines as they come (plain lines off a TTY), then the report", async () => {
    const home = await mkdtemp(join(tmpdir(), "clawcall-cli-"));
    const at = (s: number) => `2026-03-04T17:00:0${s}.000Z`;
    const lines = [
      { role: "assistant" as const, text: "Hi, this is Alex calling for Jordan Lee.", timestamp: at(1) },
      { role: "user" as const, text: "You're confirmed for Tuesday.", timestamp: at(2) },
    ];
    let gets = 0;
    const key = `clawcall_sk_${"k".repeat(43)}`;
    const stub = await startStub((r) => {
      if (r.method === "POST") {
        return {
          status: 201,
          body: { call_id: "c1", id: "c1", status: "queued", message: "queued", api_key: key },
          headers: { "x-clawcall-api-key": key },
        };
      }
      if (r.url.endsWith("/events")) {
        return {
          status: 200,
          events: [
            { type: "status", status: "in_progress", lifecycle: "answered", at: at(0) },
            ...lines.map((entry) => ({ type: "transcript", entry })),
            { type: "status", status: "completed", lifecycle: "finalized", at: at(3) },
          ],
        };
      }
      gets++;
      return gets === 1
        ? { status: 200, body: callView({ call_id: "c1", status: "ringing", lifecycle: "dialing" }) }
        : {
            status: 200,
            body: callView({
              call_id: "c1",
              status: "completed",
              lifecycle: "finalized",
              outcome: "answered",
              talk_seconds: 9,
              transcript: lines,
              recordingUrl: "http://127.0.0.1/rec/c1",
            }),
          };
    });
    try {
      const t = io();
      t.value.env = { HOME: home, XDG_CONFIG_HOME: home, CLAWCALL_BASE_URL: stub.url };
      const code = await runCli(
        ["call", "--to", "+12125550100", "--task", "Confirm Tuesday.", "--wait"],
        t.value,
      );
      expect(code).toBe(EXIT.ok);
      expect(t.err().split("\n")).toEqual([
        "… Calling +12125550100 (call c1)",
        "… +12125550100: ringing",
        "… +12125550100: in progress",
        "  Agent: Hi, this is Alex calling for Jordan Lee.",
        "  Them: You're confirmed for Tuesday.",
        "… +12125550100: completed",
        "",
      ]);
      expect(t.out().split("\n").slice(0, 5)).toEqual([
        "Completed: called +12125550100 (talk time 9 s).",
        "Call id: c1",
        "Transcript:",
        "  Agent: Hi, this is Alex calling for Jordan Lee.",
        "  Them: You're confirmed for Tuesday.",
      ]);
      expect(t.out()).toContain(
        "Recording (expires about 10 minutes after the call): http://127.0.0.1/rec/c1",
      );
      expect(t.out() + t.err()).not.toContain(key);
    } finally {
      await stub.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
