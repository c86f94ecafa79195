import type { TranscriptEntry } from "@clawcall/contract";
import { expect, it, vi } from "vitest";
import type { SandboxVerdict } from "../../src/sandbox/personas/index.ts";
import { personaPhrases } from "../../src/sandbox/personas/lines.ts";
import type { FakeOpenAi } from "../fakes/index.ts";
import { pollUntilFinal, type TestService } from "../helpers/service.ts";

export const TASK =
  "Call to confirm Jordan Lee's appointment on Tuesday. If you reach voicemail, leave a message. " +
  "Once the appointment is handled, connect me.";

/** Every conversational magic number; `a>b` is a call to a that is asked to bridge to b. */
export const TARGETS = [
  "0100",
  "0108",
  "0109",
  "0110",
  "0111",
  "0113",
  "0114",
  "0115",
  "0116",
  "0100>0112",
  "0100>0117",
];

// biome-ignore lint/suspicious/noExplicitAny: the call view as parsed JSON, read field by field
type Json = any;
export type Call = {
  transcript: TranscriptEntry[];
  _meta: { latency?: { barge_ins: number }; sandbox?: { verdict: SandboxVerdict } };
} & Record<string, Json>;

const index = (t: TranscriptEntry[], test: (e: TranscriptEntry) => boolean) => t.findIndex(test);
const said = (t: TranscriptEntry[], role: string, re: RegExp) =>
  index(t, (e) => e.role === role && re.test(e.text));

/** The number a target is called at: an area code of its own, so a callee's report finds its call. */
export function targetNumber(target: string): string {
  return `+1${212 + TARGETS.indexOf(target)}555${target.split(">")[0]}`;
}

/** What each scenario's callee is expected to have done (`_meta.sandbox.verdict.actions`). */
export const EXPECTED_ACTIONS: Record<string, unknown[]> = {
  "0100": [{ action: "confirmed", appointment: "Jordan Lee 2026-03-03 10:00" }],
  "0108": [
    {
      action: "message",
      text: expect.stringMatching(/confirm Jordan Lee's appointment on Tuesday/),
      complete: true,
    },
  ],
  "0109": [
    { action: "menu_choice", digit: "1", department: "appointments" },
    { action: "confirmed", appointment: "Jordan Lee 2026-03-03 10:00" },
  ],
  "0110": [{ action: "handled" }],
  "0111": [{ action: "needs_info", what: "date of birth" }],
  "0113": [{ action: "put_through" }, { action: "handled" }],
  "0114": [{ action: "handled" }],
  "0115": [],
  "0116": [],
  "0100>0112": [{ action: "confirmed", appointment: "Jordan Lee 2026-03-03 10:00" }],
  "0100>0117": [{ action: "confirmed", appointment: "Jordan Lee 2026-03-03 10:00" }],
};

/** Places every target call at once and keeps each final call view, with the key that placed it. */
export async function placeScenarioCalls(service: TestService, calls: Map<string, Call>): Promise<void> {
  await Promise.all(
    TARGETS.map(async (target) => {
      const [, bridge] = target.split(">");
      const created = await service.request("POST", "/call", {
        body: {
          to: targetNumber(target),
          task: TASK,
          ...(bridge ? { bridge_number: `+1312555${bridge}` } : {}),
        },
      });
      expect(created.status).toBe(201);
      const { call } = await pollUntilFinal(service, created.body.api_key, created.body.call_id, {
        timeoutMs: 150_000,
      }).catch((err: Error) => {
        throw new Error(`${target}: ${err.message}`);
      });
      calls.set(target, { ...call, key: created.body.api_key });
    }),
  );
}

export interface ScenarioContext {
  calls: Map<string, Call>;
  llm: () => FakeOpenAi;
  service: () => TestService;
  /**
   * Checks the recording of an answered call behind its link. The direct sandbox serves its own signed
   * WAV; a carrier hands over a link to its own copy, so what is behind the link differs per carrier.
   */
  recording: {
    name: string;
    check(call: Call): Promise<void>;
  };
  /** What the callee of a scenario did: the call's `_meta.sandbox`, or what the emulator's personas told. */
  verdict(target: string): SandboxVerdict | undefined;
}

/**
 * The expectations of every scenario, shared by each way a call can reach the personas (the direct
 * sandbox, a carrier and its emulator), so both are held to the same results.
 */
export function scenarioChecks({ calls, llm, service, recording, verdict }: ScenarioContext): void {
  it("every callee did what its scenario asked for, and only that", () => {
    for (const target of TARGETS) {
      expect({ target, actions: verdict(target)?.actions }).toEqual({
        target,
        actions: EXPECTED_ACTIONS[target],
      });
    }
  });

  it("every call completes, with callee lines heard exactly as spoken", () => {
    const phrases = new Set(personaPhrases());
    for (const [target, call] of calls) {
      expect({ target, status: call.status }).toEqual({ target, status: "completed" });
      for (const e of call.transcript.filter((e) => e.role === "user")) {
        // A line may be heard merged with the next one when the callee does not pause between them.
        expect(
          e.text.split(/(?<=[.?!])\s+(?=[A-Z])/).length > 1 || phrases.has(e.text),
          `${target}: ${e.text}`,
        ).toBe(true);
      }
    }
  });

  it("0100: the composed opening line comes first, then the purpose, the confirmation and a polite end", () => {
    const t = calls.get("0100")!.transcript;
    const opening = t.find((e) => e.role === "assistant")!;
    expect(opening.text).toMatch(/AI assistant/);
    expect(opening.text).toMatch(/recorded/);
    expect(said(t, "assistant", /calling to confirm/)).toBeLessThan(
      said(t, "user", /is confirmed for Tuesday/),
    );
    expect(t.at(-1)).toMatchObject({ role: "tool", tool: "end_call" });
  });

  it("0109: the menu advances only after the right digit is pressed", () => {
    const t = calls.get("0109")!.transcript;
    const pressed = index(t, (e) => e.role === "tool" && e.tool === "press_digits");
    expect(t[pressed]?.toolArgs).toEqual({ digits: "1" });
    const person = said(t, "user", /Appointments desk/);
    expect(pressed).toBeGreaterThanOrEqual(0);
    expect(person).toBeGreaterThan(pressed);
    expect(said(t, "user", /Appointments desk/)).toBe(person);
  });

  it("0110: the hold queue is waited out without asking the model about the hold loop", () => {
    const t = calls.get("0110")!.transcript;
    const onHold = said(t, "system", /^On hold/);
    const over = said(t, "system", /hold is over/);
    expect(said(t, "user", /All of our agents are busy/)).toBeLessThan(onHold);
    expect(onHold).toBeGreaterThanOrEqual(0);
    expect(over).toBeGreaterThan(onHold);
    // Nothing the agent said, and no model call, while the queue held it.
    expect(t.slice(onHold, over).filter((e) => e.role === "assistant" || e.role === "tool")).toEqual([]);
    const onHoldAsked = llm().chat.requests.filter((r) =>
      /important to us|all of our agents are busy/i.test(r.lastUserText),
    );
    expect(onHoldAsked).toEqual([]);
    expect(t.at(-1)).toMatchObject({ role: "tool", tool: "end_call" });
  });

  it("0108: voicemail is recognised and the message is left after the beep", () => {
    const t = calls.get("0108")!.transcript;
    const detected = said(t, "system", /voicemail/i);
    const beep = said(t, "system", /beep/i);
    const message = said(t, "assistant", /Jordan Lee/);
    expect(detected).toBeGreaterThanOrEqual(0);
    expect(beep).toBeGreaterThan(detected);
    expect(message).toBeGreaterThan(beep);
  });

  it("0111: the agent says it does not have what the task does not contain", () => {
    const t = calls.get("0111")!.transcript;
    expect(said(t, "assistant", /don't have the date of birth/)).toBeGreaterThan(
      said(t, "user", /date of birth/),
    );
  });

  it("0113: the screener is answered, then the person", () => {
    const t = calls.get("0113")!.transcript;
    expect(said(t, "user", /screening service/)).toBeLessThan(said(t, "user", /this is Taylor/));
  });

  it("0114: the interrupter gets its barge-in, and only what was played is in the transcript", () => {
    const call = calls.get("0114")!;
    expect(call._meta.latency?.barge_ins).toBeGreaterThanOrEqual(1);
    const cut = call.transcript.filter((e) => e.role === "assistant" && !/[.?!]$/.test(e.text));
    expect(cut.length).toBeGreaterThanOrEqual(1);
  });

  it("0115: a silent line is ended politely", () => {
    const t = calls.get("0115")!.transcript;
    expect(t.filter((e) => e.role === "user")).toEqual([]);
    expect(said(t, "assistant", /can't hear anyone|goodbye/i)).toBeGreaterThan(0);
  });

  it("0116: a callee who hangs up at once ends a short call", () => {
    const call = calls.get("0116")!;
    expect(call.outcome_detail.hangup_source).toBe("callee");
    expect(call.talk_seconds).toBeLessThan(15);
  });

  it("bridge to 0112 connects the user and the agent leaves", () => {
    const t = calls.get("0100>0112")!.transcript;
    const connect = index(t, (e) => e.role === "tool" && e.tool === "connect_user");
    expect(connect).toBeGreaterThanOrEqual(0);
    expect(said(t, "system", /connected/i)).toBeGreaterThan(connect);
    expect(t.filter((e) => e.role === "tool" && e.tool === "end_call")).toEqual([]);
  });

  it("bridge to 0117 fails cleanly and the agent carries on to a polite end", () => {
    const call = calls.get("0100>0117")!;
    const t = call.transcript;
    const failed = said(t, "system", /handoff failed/i);
    const story = `${call.outcome}: ${t.map((e) => `${e.role}${e.tool ? `(${e.tool})` : ""}: ${e.text}`).join(" | ")}`;
    expect(failed, story).toBeGreaterThanOrEqual(0);
    const ended = index(t, (e) => e.role === "tool" && e.tool === "end_call");
    expect(ended, story).toBeGreaterThan(failed);
    // The model was told why (the tool result), not only the transcript.
    expect(t[ended]!.toolArgs, story).toMatchObject({ reason: "handoff failed" });
  });

  it(`answered calls are recorded: ${recording.name}`, async () => {
    const placed = calls.get("0100")!;
    // A carrier saves its recording after the hang-up, so the link may reach the call after it ended.
    const call: Call = await vi.waitFor(
      async () => {
        const res = await service().request("GET", `/call/${placed.id}`, { key: placed.key });
        expect(res.body.recordingUrl).toBeTruthy();
        return { ...res.body, key: placed.key };
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(call.recording_url).toBe(call.recordingUrl);
    const redirect = await service().request("GET", `/call/${call.id}/recording`, { key: call.key });
    expect(redirect.status).toBe(302);
    await recording.check(call);
  });
}

/** The direct sandbox's recording: a signed WAV of both sides, served while the link lasts. */
export async function checkSignedWav(call: Call): Promise<void> {
  expect(call.recordingUrl).toMatch(/\/recordings\/.+\.wav\?expires=\d+&sig=/);
  const wav = await fetch(call.recordingUrl);
  expect(wav.headers.get("content-type")).toBe("audio/wav");
  const bytes = Buffer.from(await wav.arrayBuffer());
  expect(bytes.subarray(0, 4).toString()).toBe("RIFF");
  expect(bytes.length).toBeGreaterThan(44 + 8000 * 4 * 5);
  const forged = await fetch(call.recordingUrl.replace(/sig=.*/, "sig=forged"));
  expect(forged.status).toBe(404);
}
