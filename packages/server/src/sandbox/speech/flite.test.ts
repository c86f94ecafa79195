import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FliteSynth } from "./flite.ts";

const closingProgram = path.resolve(import.meta.dirname, "../../../test/fixtures/flite-close.ts");

/** Runs a program that synthesises a line and then closes its synthesiser; its exit code and output. */
function runClosingProgram(runner: "process" | "thread"): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", closingProgram, runner], {
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 60_000,
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  // "close", not "exit": by then its output has all been read.
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, out })));
}

describe("flite's worker", () => {
  const synths: FliteSynth[] = [];
  afterEach(async () => {
    await Promise.all(synths.map((s) => s.close()));
  });

  it("is let go once idle and started again by the next line, which still speaks", async () => {
    const synth = new FliteSynth({ idleWorkerMs: 20 });
    synths.push(synth);
    expect(synth.running).toBe(false);
    const first = await synth.synthesize("Hello there.", "kal");
    expect(first.pcm.length).toBeGreaterThan(0);
    await vi.waitFor(() => expect(synth.running).toBe(false), { timeout: 10_000 });
    const again = await synth.synthesize("Hello there.", "kal");
    expect(again.sampleRate).toBe(first.sampleRate);
    expect(Array.from(again.pcm)).toEqual(Array.from(first.pcm));
  });

  it("speaks the same in a process of its own, which ends when closed", async () => {
    const thread = new FliteSynth();
    const own = new FliteSynth({ ownProcess: true });
    synths.push(thread, own);
    const [a, b] = await Promise.all([
      thread.synthesize("Hello there.", "kal"),
      own.synthesize("Hello there.", "kal"),
    ]);
    expect(b.sampleRate).toBe(a.sampleRate);
    expect(Array.from(b.pcm)).toEqual(Array.from(a.pcm));
    const waiting = own.synthesize("One more.", "kal");
    await own.close();
    await expect(waiting).rejects.toThrow(/exited/);
    expect(own.running).toBe(false);
  });

  it("keeps a worker that has work, and answers every line asked for at once", async () => {
    const synth = new FliteSynth({ idleWorkerMs: 0 });
    synths.push(synth);
    const lines = await Promise.all(["One.", "Two.", "Three."].map((t) => synth.synthesize(t, "kal")));
    for (const line of lines) expect(line.pcm.length).toBeGreaterThan(0);
  });

  // Closing ends the worker and waits for it; that wait must hold this process open, since it may be all
  // that is left (otherwise Node stops with an unsettled await, exit code 13, and nothing after runs).
  it.each(["process", "thread"] as const)(
    "a program that closes it last runs to its end (%s)",
    async (runner) => {
      expect(await runClosingProgram(runner)).toEqual({ code: 0, out: "closed\n" });
    },
  );
});
