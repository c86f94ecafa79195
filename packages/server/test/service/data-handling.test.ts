import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RecordingLinks } from "../../src/api/recording-links.ts";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { pollUntilFinal, startTestService } from "../helpers/service.ts";

const MARKER = "Zebra-quartz-7781 is the confirmation code";

/** Every byte the database keeps on disk: the main file and its write-ahead log. */
function databaseBytes(dataDir: string): string {
  return fs
    .readdirSync(dataDir)
    .filter((f) => f.startsWith("clawcall.sqlite"))
    .map((f) => fs.readFileSync(path.join(dataDir, f)).toString("latin1"))
    .join("");
}

describe("data handling", () => {
  it("keeps transcripts in memory only, and drops them after their expiry", async () => {
    const engine = new ListeningEngine({
      talkSeconds: 0.3,
      lines: [
        { role: "assistant", text: "Hi, this is an AI assistant calling for Jordan. The call is recorded." },
        { role: "user", text: MARKER },
      ],
    });
    const service = await startTestService({ CLAWCALL_TRANSCRIPT_TTL_SECONDS: "1" }, { engine });
    try {
      const created = await service.request("POST", "/call", {
        body: { to: "+12125550100", task: "Confirm the code.", bridge_number: "+13125550112" },
      });
      const key = created.body.api_key;
      const { call } = await pollUntilFinal(service, key, created.body.call_id);
      expect(call.transcript.map((t: { role: string }) => t.role)).toEqual(["assistant", "user"]);
      expect(call.transcript[1].text).toBe(MARKER);

      const onDisk = databaseBytes(service.dataDir);
      expect(onDisk).toContain("Confirm the code.");
      expect(onDisk).not.toContain("Zebra-quartz-7781");
      expect(onDisk).not.toContain(key);
      expect(onDisk).not.toContain(key.slice("clawcall_sk_".length));
      expect(onDisk).not.toContain("+13125550112");

      await new Promise((r) => setTimeout(r, 1_200));
      const later = await service.request("GET", `/call/${created.body.call_id}`, { key });
      expect(later.body.transcript).toBeNull();
      expect(later.body.status).toBe("completed");
    } finally {
      await service.dispose();
    }
  });

  it("keeps its data folder and files readable by the service's user only, even one made loosely before", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-modes-"));
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, "clawcall.sqlite"), "", { mode: 0o644 });
    const engine = new ListeningEngine({ talkSeconds: 0.3, lines: [{ role: "assistant", text: "Hello." }] });
    const service = await startTestService({}, { engine, dataDir });
    try {
      const created = await service.request("POST", "/call", {
        body: { to: "+12125550100", task: "Greet." },
      });
      const { call } = await pollUntilFinal(service, created.body.api_key, created.body.call_id);
      expect(call.recordingUrl).toBeTruthy();
      const mode = (p: string) => fs.statSync(p).mode & 0o777;
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, "recordings"))).toBe(0o700);
      const files = [
        ...fs.readdirSync(dataDir).filter((f) => f.startsWith("clawcall.sqlite") || f === "secret"),
        ...fs.readdirSync(path.join(dataDir, "recordings")).map((f) => path.join("recordings", f)),
      ];
      expect(files).toEqual(expect.arrayContaining(["clawcall.sqlite", "clawcall.sqlite-wal", "secret"]));
      expect(files.some((f) => f.startsWith("recordings"))).toBe(true);
      for (const f of files) expect(mode(path.join(dataDir, f)), f).toBe(0o600);
    } finally {
      await service.dispose();
    }
  });

  it("streams status changes and transcript lines over Server-Sent Events", async () => {
    const engine = new ListeningEngine({
      talkSeconds: 0.3,
      lines: [{ role: "assistant", text: "Hello there." }],
    });
    const service = await startTestService({ CLAWCALL_SANDBOX_RING_SECONDS: "0.5" }, { engine });
    try {
      const created = await service.request("POST", "/call", {
        body: { to: "+12125550100", task: "Greet." },
      });
      const res = await fetch(`${service.url}/call/${created.body.call_id}/events`, {
        headers: { "x-api-key": created.body.api_key },
      });
      expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
      expect(res.headers.get("x-clawcall-balance-seconds")).toBe("1200");
      const text = await res.text(); // the stream ends after the final status
      const events = text
        .split("\n\n")
        .filter((b) => b.startsWith("event:"))
        .map((b) => JSON.parse(b.split("\ndata: ")[1] ?? "{}"));
      const statuses = events.filter((e) => e.type === "status").map((e) => e.status);
      expect(statuses.at(-1)).toBe("completed");
      expect(statuses).toContain("in_progress");
      expect(events.filter((e) => e.type === "transcript").map((e) => e.entry.text)).toEqual([
        "Hello there.",
      ]);
    } finally {
      await service.dispose();
    }
  });
});

describe("recordings after a crash", () => {
  it("a recording published before the service died is deleted at its expiry, with no restart", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clawcall-crashed-"));
    // What a node that died mid-way left: a published recording whose link is still valid.
    const before = new RecordingLinks(path.join(dataDir, "recordings"), "secret", () => "http://x", 2);
    fs.writeFileSync(path.join(before.directory, "left.wav"), "RIFF");
    before.publish(path.join(before.directory, "left.wav"));
    const service = await startTestService({ CLAWCALL_RECORDING_TTL_SECONDS: "2" }, { dataDir });
    try {
      expect(fs.readdirSync(before.directory)).toHaveLength(1);
      while (fs.readdirSync(before.directory).length > 0) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await service.dispose();
    }
  });
});
