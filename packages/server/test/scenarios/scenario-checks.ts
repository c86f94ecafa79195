import {
  CallViewSchema,
  type SandboxReport,
  type SandboxVerdict,
  type TranscriptEntry,
} from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it, type OnTestFailedHandler, vi } from "vitest";
import { citationHolds } from "../../src/agent/result-citations.ts";
import { personaPhrases } from "../../src/sandbox/personas/lines.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/index.ts";
import { REAL_TIME } from "../helpers/real-time.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

export const TASK =
  "Call to confirm Jordan Lee's appointment on Tuesday. If you reach voicemail, leave a message. " +
  "Once the appointment is handled, connect me.";

// biome-ignore lint/suspicious/noExplicitAny: the call view as parsed JSON, read field by field
type Json = any;
export type Call = {
  transcript: TranscriptEntry[];
  _meta: {
    latency?: { barge_ins: number };
    sandbox?: SandboxReport;
  };
} & Record<string, Json>;

export const index = (t: TranscriptEntry[], test: (e: TranscriptEntry) => boolean) => t.findIndex(test);
export const said = (t: TranscriptEntry[], role: string, re: RegExp) =>
  index(t, (e) => e.role === role && re.test(e.text));

/**
 * The service a scenario file calls through, with a fake OpenAI-compatible API answering as `model`:
 * started before the file's tests and stopped after them.
 */
export function scenarioService(
  model: Parameters<FakeOpenAi["chat"]["setDefault"]>[0],
  env: Record<string, string>,
): { llm: () => FakeOpenAi; service: () => TestService } {
  let llm: FakeOpenAi;
  let service: TestService;
  beforeAll(async () => {
    llm = await startFakeOpenAi();
    llm.chat.setDefault(model);
    service = await startTestService({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: llm.url, ...env });
  });
  afterAll(async () => {
    await service?.dispose();
    await llm?.close();
  });
  return { llm: () => llm, service: () => service };
}

/**
 * Real-time calls a scenario file places at once. A sandbox call with pocketsphinx costs about 5 % of a
 * core; two files' worth (and the concurrent tests of `maxConcurrency`) stay under half of two cores,
 * while the longest calls start first and the suite waits about as long as its longest call.
 */
const CALLS_AT_ONCE = 8;
/** Targets by how long their calls take, longest first: handoffs, the hold queue, the screener, the menu. */
const LONGEST_FIRST = [">", "0110", "0113", "0109", "0100"];

/**
 * One call per target (`a>b`: a call to a that is asked to bridge to b), shared by the tests that read it.
 * The suite's calls are all placed up front, a few at a time, so each test mostly finds its call done. A
 * test that fails forgets its call, so its retry places a fresh one rather than judging the same
 * transcript again.
 */
export class ScenarioCalls {
  private readonly placed = new Map<string, Promise<Call>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly service: () => TestService) {}

  /** Starts placing every target's call in the background, the longest calls first. */
  prepare(targets: Iterable<string>): void {
    const rank = (t: string) => {
      const i = LONGEST_FIRST.findIndex((part) => t.includes(part));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    for (const target of [...targets].sort((a, b) => rank(a) - rank(b))) this.place(target);
  }

  get(target: string, onTestFailed: (handler: OnTestFailedHandler) => void): Promise<Call> {
    const call = this.placed.get(target) ?? this.place(target);
    onTestFailed(() => {
      if (this.placed.get(target) === call) this.placed.delete(target);
    });
    return call;
  }

  private place(target: string): Promise<Call> {
    const call = (async () => {
      if (this.running >= CALLS_AT_ONCE) await new Promise<void>((r) => this.waiting.push(r));
      this.running++;
      try {
        return await placeScenarioCall(this.service(), target);
      } finally {
        this.running--;
        this.waiting.shift()?.();
      }
    })();
    // A call placed ahead may fail before its test awaits it; the test still sees the failure.
    call.catch(() => {});
    this.placed.set(target, call);
    return call;
  }
}

/** Places one scenario call and waits for its final view, with the key that placed it. */
async function placeScenarioCall(service: TestService, target: string): Promise<Call> {
  const [line, bridge] = target.split(">");
  const created = await service.request("POST", "/call", {
    body: {
      to: `+1212555${line}`,
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
  // The final view, verdict included, is what the contract says a client reads.
  const parsed = CallViewSchema.safeParse(call);
  if (!parsed.success)
    throw new Error(`${target}: the final view breaks the contract: ${parsed.error.message}`);
  return { ...call, key: created.body.api_key };
}

const CONFIRMED = { action: "confirmed", appointment: "Jordan Lee 2026-03-03 10:00" };

/** What each scenario's callee is expected to have done (its verdict's actions), and nothing else. */
export const EXPECTED_ACTIONS: Record<string, unknown[]> = {
  "0100": [CONFIRMED],
  "0108": [
    {
      action: "message",
      text: expect.stringMatching(/confirm Jordan Lee's appointment on Tuesday/),
      complete: true,
      states_purpose: true,
    },
  ],
  "0109": [{ action: "menu_choice", digit: "1", department: "appointments" }, CONFIRMED],
  "0110": [{ action: "handled" }],
  "0111": [{ action: "needs_info", what: "date of birth" }],
  "0113": [{ action: "put_through" }, { action: "handled" }],
  "0114": [{ action: "handled" }],
  "0115": [],
  "0116": [],
  "0100>0112": [CONFIRMED],
  "0100>0117": [CONFIRMED],
};

/** A scenario's whole call, placed to final: a bridge that nobody answers takes the longest. */
const SCENARIO_TIMEOUT_MS = 150_000;

/** The transcript as one line, for failure messages. */
export function story(call: Call): string {
  return `${call.outcome}: ${call.transcript.map((e: TranscriptEntry) => `${e.role}${e.tool ? `(${e.tool})` : ""}: ${e.text}`).join(" | ")}`;
}

/** Every conversational call completes, and the callee lines in its transcript are heard exactly as spoken. */
function expectCompletedAndHeard(target: string, call: Call): void {
  const phrases = new Set(personaPhrases());
  expect({ target, status: call.status }, story(call)).toEqual({ target, status: "completed" });
  for (const e of call.transcript.filter((e) => e.role === "user")) {
    // A line may be heard merged with the next one when the callee does not pause between them.
    expect(
      e.text.split(/(?<=[.?!])\s+(?=[A-Z])/).length > 1 || phrases.has(e.text),
      `${target}: ${e.text}`,
    ).toBe(true);
  }
}

/** What came of the call is there, names the number called, and each fact cites lines that say it. */
function expectResultCitesTheCall(target: string, call: Call): void {
  const result = call.result;
  expect(result, `${target}: ${call.result_unavailable}`).toBeTruthy();
  expect(result.summary).toContain(call.to);
  for (const fact of result.facts) {
    expect(citationHolds(fact, call.transcript), `${target}: ${JSON.stringify(fact)}`).toBe(true);
  }
}

export interface ScenarioContext {
  calls: ScenarioCalls;
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
  /**
   * Checks a carrier adds to a bridge scenario: that the bridge went through it, and on 0112 that the
   * person it connected talked with the callee.
   */
  bridged?(call: Call, to: string): void | Promise<void>;
  /** What the callee of a call did: the call's `_meta.sandbox`, or what the emulator's personas told. */
  verdict(call: Call): Promise<SandboxVerdict | undefined>;
}

/**
 * The expectations of every scenario, shared by each way a call can reach the personas (the direct
 * sandbox, a carrier and its emulator), so both are held to the same results. Each scenario is its own
 * test: it reads its own call (placed up front with the others), so a retry after a stalled machine places
 * and judges that scenario alone.
 */
export function scenarioChecks({ calls, llm, service, recording, bridged, verdict }: ScenarioContext): void {
  /** A test of one target's call: completed and heard exactly, then the scenario's own checks. */
  function scenario(
    name: string,
    target: string,
    check: (call: Call, t: TranscriptEntry[]) => void | Promise<void>,
  ) {
    targets.add(target);
    it(
      name,
      async ({ onTestFailed }) => {
        const call = await calls.get(target, onTestFailed);
        expectCompletedAndHeard(target, call);
        // The callee did what the scenario needs done, by its own account.
        expect((await verdict(call))?.actions, story(call)).toEqual(EXPECTED_ACTIONS[target]);
        expectResultCitesTheCall(target, call);
        await check(call, call.transcript);
      },
      SCENARIO_TIMEOUT_MS,
    );
  }

  const targets = new Set<string>();
  beforeAll(() => calls.prepare(targets));

  describe.concurrent("each scenario", REAL_TIME, () => {
    scenario(
      "0100: the composed opening line comes first, then the purpose, the confirmation and a polite end",
      "0100",
      (call, t) => {
        const opening = t.find((e) => e.role === "assistant")!;
        expect(opening.text).toMatch(/AI assistant/);
        expect(opening.text).toMatch(/recorded/);
        // Composed while the phone rang: whose behalf, named whole, and why.
        expect(opening.text, story(call)).toMatch(/on behalf of Jordan Lee\./);
        expect(opening.text, story(call)).toMatch(/calling to confirm Jordan Lee's appointment on Tuesday/);
        const purpose = said(t, "assistant", /calling to confirm/);
        expect(purpose).toBeGreaterThan(0);
        expect(purpose).toBeLessThan(said(t, "user", /is confirmed for Tuesday/));
        expect(t.at(-1)).toMatchObject({ role: "tool", tool: "end_call" });
        // What came of it, from the line that says so.
        expect(call.result.status).toBe("achieved");
        expect(call.result.facts.flatMap((f: { turns: number[] }) => f.turns)).toContain(
          said(t, "user", /is confirmed for Tuesday/),
        );
      },
    );

    scenario(
      "0109: the menu gets its digit on its first prompt, with no opening over it, then the person the opening",
      "0109",
      (call, t) => {
        const pressed = index(t, (e) => e.role === "tool" && e.tool === "press_digits");
        expect(t[pressed]?.toolArgs).toEqual({ digits: "1" });
        const person = said(t, "user", /Appointments desk/);
        expect(pressed).toBeGreaterThanOrEqual(0);
        expect(person).toBeGreaterThan(pressed);
        expect(said(t, "user", /Appointments desk/)).toBe(person);
        // No wasted cycle: the prompt heard once, no time-out, nothing said to the menu.
        expect(
          t.filter((e) => e.role === "user" && /press one/.test(e.text)),
          story(call),
        ).toHaveLength(1);
        expect(said(t, "user", /did not get your selection/), story(call)).toBe(-1);
        expect(
          t.slice(0, pressed).filter((e) => e.role === "assistant"),
          story(call),
        ).toEqual([]);
        expect(said(t, "assistant", /AI assistant/), story(call)).toBeGreaterThan(person);
      },
    );

    scenario(
      "0110: the hold queue is waited out without asking the model about the hold loop",
      "0110",
      (_, t) => {
        const onHold = said(t, "system", /^On hold/);
        const over = said(t, "system", /hold is over/);
        expect(said(t, "user", /All of our agents are busy/)).toBeLessThan(onHold);
        expect(onHold).toBeGreaterThanOrEqual(0);
        expect(over).toBeGreaterThan(onHold);
        // Nothing the agent said, and no model call, while the queue held it.
        expect(t.slice(onHold, over).filter((e) => e.role === "assistant" || e.role === "tool")).toEqual([]);
        // The result asked for after the call reads the whole transcript; that is not asking about the hold.
        const onHoldAsked = llm().chat.requests.filter(
          (r) =>
            !r.toolNames.includes("report_call_result") &&
            /important to us|all of our agents are busy/i.test(r.lastUserText),
        );
        expect(onHoldAsked).toEqual([]);
        expect(t.at(-1)).toMatchObject({ role: "tool", tool: "end_call" });
      },
    );

    scenario("0108: voicemail is recognised and the message is left after the beep", "0108", (call, t) => {
      const detected = said(t, "system", /voicemail/i);
      const beep = said(t, "system", /beep/i);
      // The greeting is in the transcript, as heard, before the message.
      const greeting = said(t, "user", /leave a message after the tone/);
      expect(greeting, story(call)).toBeGreaterThanOrEqual(0);
      expect(greeting, story(call)).toBeLessThan(beep);
      const message = said(t, "assistant", /Jordan Lee/);
      expect(detected).toBeGreaterThanOrEqual(0);
      expect(beep).toBeGreaterThan(detected);
      expect(message).toBeGreaterThan(beep);
    });

    scenario("0111: the agent says it does not have what the task does not contain", "0111", (call, t) => {
      expect(said(t, "assistant", /don't have the date of birth/)).toBeGreaterThan(
        said(t, "user", /date of birth/),
      );
      // The result tells the assistant what to ask its user before calling back.
      expect(call.result.status).toBe("needs_info");
      expect(call.result.missing_info).toEqual([expect.stringMatching(/date of birth/)]);
    });

    scenario("0113: the screener is answered, then the person", "0113", (_, t) => {
      expect(said(t, "user", /screening service/)).toBeLessThan(said(t, "user", /this is Taylor/));
    });

    scenario(
      "0114: the interrupter gets its barge-in, and only what was played is in the transcript",
      "0114",
      (call) => {
        expect(call._meta.latency?.barge_ins).toBeGreaterThanOrEqual(1);
        const cut = call.transcript.filter((e) => e.role === "assistant" && !/[.?!]$/.test(e.text));
        expect(cut.length).toBeGreaterThanOrEqual(1);
      },
    );

    scenario("0115: a silent line is ended politely", "0115", (_, t) => {
      expect(t.filter((e) => e.role === "user")).toEqual([]);
      expect(said(t, "assistant", /can't hear anyone|goodbye/i)).toBeGreaterThan(0);
    });

    scenario("0116: a callee who hangs up at once ends a short call", "0116", (call) => {
      expect(call.outcome_detail.hangup_source).toBe("callee");
      expect(call.talk_seconds).toBeLessThan(15);
    });

    scenario("bridge to 0112 connects the user and the agent leaves", "0100>0112", async (call, t) => {
      const connect = index(t, (e) => e.role === "tool" && e.tool === "connect_user");
      expect(connect).toBeGreaterThanOrEqual(0);
      expect(said(t, "system", /connected/i)).toBeGreaterThan(connect);
      expect(t.filter((e) => e.role === "tool" && e.tool === "end_call")).toEqual([]);
      expect(call.handoff).toMatchObject({ status: "connected" });
      expect(call.numbers.bridge_from).toBe(call.numbers.from);
      expect(call.outcome_detail.reason.code).toBe("handoff_completed");
      await bridged?.(call, "+13125550112");
    });

    scenario(
      "bridge to 0117 fails cleanly and the agent carries on to a polite end",
      "0100>0117",
      async (call, t) => {
        const failed = said(t, "system", /handoff failed/i);
        expect(failed, story(call)).toBeGreaterThanOrEqual(0);
        const ended = index(t, (e) => e.role === "tool" && e.tool === "end_call");
        expect(ended, story(call)).toBeGreaterThan(failed);
        // The model was told why (the tool result), not only the transcript.
        expect(t[ended]!.toolArgs, story(call)).toMatchObject({ reason: "handoff failed" });
        // The other party heard it from the agent before the end.
        expect(said(t, "assistant", /didn't pick up/), story(call)).toBeGreaterThan(failed);
        expect(call.handoff).toMatchObject({ status: "no_answer" });
        await bridged?.(call, "+13125550117");
      },
    );

    scenario(`answered calls are recorded: ${recording.name}`, "0100", async (placed) => {
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
