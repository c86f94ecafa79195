import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { MediaStream } from "../../src/media/media-stream.ts";
import type { CalleeFactory as SandboxCalleeFactory } from "../../src/sandbox/network.ts";
import { describeWith, SHARED_SPECS } from "../helpers/prerequisites.ts";
import { calleesFromSandbox } from "../telnyx-emulator/sandbox-callees.ts";
import { type Harness, isHangup, isType, startHarness } from "./harness.ts";

/** A stand-in persona with the sandbox's callee contract: greets, answers "1" with a tone, hangs up on "9". */
const lines: Array<string | null> = [];
const persona: SandboxCalleeFactory = {
  start(line, media: MediaStream, controls) {
    lines.push(line);
    media.attach({
      onAudio: () => {},
      onDigit: (d) => {
        if (d === "1") media.send(new Uint8Array(1600).fill(0x10));
        if (d === "9") controls.hangup();
      },
    });
    media.send(new Uint8Array(800).fill(0x20));
    return { stop() {} };
  },
};

describeWith(SHARED_SPECS, "sandbox personas behind the Telnyx emulator", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ calleeFactory: calleesFromSandbox(persona), timings: { ringMs: 100 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("the persona hears its magic line, speaks through the Telnyx stream, and reacts to keypad digits", async () => {
    await h.carrier.dial(h.dialRequest("persona-1", "+13105550109"));
    const { stream } = await h.waitFor(isType("persona-1", "media"));
    const heard: number[] = [];
    stream.attach({ onAudio: (f) => heard.push(f[0] ?? 0) });
    expect(lines).toEqual(["0109"]);
    await h.carrier.sendDigits("persona-1", "1");
    await vi.waitFor(() => expect(heard).toContain(0x10), { timeout: 3000 });
    await h.carrier.sendDigits("persona-1", "9");
    const hangup = await h.waitFor(isHangup("persona-1"));
    expect(hangup).toMatchObject({ cause: "normal", source: "callee" });
  });
});
