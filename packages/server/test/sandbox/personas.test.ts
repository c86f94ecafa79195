import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulawDecode } from "../../src/media/mulaw.ts";
import { createMediaPair, type MediaPair } from "../../src/sandbox/media-pair.ts";
import {
  type CalleeEvent,
  type CalleeTimings,
  personaUtterances,
  type RunningCallee,
  startSandboxCallee,
} from "../../src/sandbox/personas/index.ts";
import { type LineKey, lineOf } from "../../src/sandbox/personas/lines.ts";
import { PlayedTextFollower } from "../../src/sandbox/played-text.ts";
import { FliteCalleeSpeech } from "../../src/sandbox/speech/callee-speech.ts";
import { PersonaLineIndex } from "../../src/sandbox/speech/line-index.ts";
import { PersonaLineStt } from "../../src/sandbox/speech/persona-line-stt.ts";
import { SpokenTextJournal } from "../../src/voice/spoken-text.ts";
import { REAL_TIME } from "../helpers/real-time.ts";

const index = new PersonaLineIndex();
const speech = new FliteCalleeSpeech({ index });
const AGENT_SHORT = "Hi, this is an assistant calling for Jamie about an appointment.";
const AGENT_LONG =
  "Hi, this is an automated assistant calling on behalf of Jamie Lee about a dental appointment next week, and this call is recorded.";

const FAST: Partial<CalleeTimings> = {
  replyDelayMs: 100,
  agentTurnEndMs: 500,
  idleTimeoutMs: 5000,
  goodbyeGraceMs: 200,
  holdSeconds: 4,
  holdMusicSeconds: 1.5,
  menuTimeoutMs: 1500,
  connectPauseMs: 200,
  interruptAfterMs: 600,
  hangupDelayMs: 100,
  voicemailSilenceMs: 1200,
  voicemailMaxMs: 15_000,
};

beforeAll(async () => {
  // Synthesis ahead of time, so the personas' pacing is what the test sees.
  await speech.warm([
    ...personaUtterances(),
    { text: AGENT_SHORT, voice: "awb" },
    { text: AGENT_LONG, voice: "awb" },
    { text: OPENING_0100, voice: "awb" },
    { text: CLOSING, voice: "awb" },
  ]);
}, 120_000);
afterAll(() => speech.close());

const text = (key: LineKey) => lineOf(key).text;
const OPENING_0100 =
  "Hi, this is an assistant calling for Jordan Lee to confirm the appointment on Tuesday at ten.";
const CLOSING = "No, that is all. Goodbye.";

/** What the agent's side of a sandbox line observes: lines heard (by frame index), audio, hang-up. */
class AgentSide {
  readonly frames: Uint8Array[] = [];
  readonly heard: { text: string; frame: number }[] = [];
  readonly events: CalleeEvent[] = [];
  readonly pair: MediaPair;
  hungUpAtFrame: number | null = null;
  readonly played = new Set<string>();
  private marks = 0;
  private readonly ended: Promise<void>;
  private readonly waiters: Array<() => void> = [];
  private readonly stop: () => void;
  /** The text of what the agent side plays, by mark, as a voice session notes it. */
  private readonly journal = new SpokenTextJournal();
  readonly callee: RunningCallee;

  constructor(line: string, timings: Partial<CalleeTimings> = {}) {
    let callee: RunningCallee | undefined;
    this.pair = createMediaPair({
      agentWords: new PlayedTextFollower(this.journal, (words) => callee?.hear(words)),
    });
    let onEnded = () => {};
    this.ended = new Promise<void>((resolve) => {
      onEnded = resolve;
    });
    const controller = new AbortController();
    const session = new PersonaLineStt(index).open({
      encoding: "mulaw",
      sampleRate: 8000,
      language: "en-US",
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "final") this.heard.push({ text: e.text, frame: this.frames.length });
        this.notify();
      },
    });
    this.pair.agent.attach({
      onAudio: (frame) => {
        // Copied now: the line reuses its frame buffer on the next tick, before a promise callback runs.
        const copy = frame.slice();
        this.frames.push(copy);
        void session.then((s) => s.write(copy));
        this.notify();
      },
      onMark: (m) => {
        this.played.add(m);
        this.notify();
      },
      onClose: () => {
        controller.abort();
        onEnded();
        this.notify();
      },
    });
    callee = startSandboxCallee(
      line,
      this.pair.callee,
      {
        hangup: () => {
          this.hungUpAtFrame = this.frames.length;
          this.pair.end("hangup");
        },
      },
      { speech, ...FAST, ...timings, onEvent: (e) => this.events.push(e) },
    );
    this.callee = callee;
    this.stop = () => {
      this.callee.stop();
      this.pair.end("hangup");
    };
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until the condition holds (checked on every frame), failing the test after `ms`. */
  async until(what: string, condition: () => boolean, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  hears(key: LineKey, times = 1): Promise<void> {
    return this.until(`"${text(key)}"`, () => this.heard.filter((h) => h.text === text(key)).length >= times);
  }

  /** Speaks into the line; resolves once the audio has been played to the callee. */
  async say(line: string): Promise<void> {
    const audio = await speech.line(line, "awb");
    const name = `agent-${++this.marks}`;
    this.journal.note(name, line);
    this.pair.agent.send(audio);
    this.pair.agent.mark(name);
    await this.until("the agent's line to play", () => this.played.has(name) || this.pair.ended);
  }

  waitEnded(): Promise<void> {
    return this.ended;
  }

  close(): void {
    this.stop();
  }
}

/** Share of a frame's energy at `hz` (Goertzel): near 1 for a pure tone at that frequency. */
function toneShare(frame: Uint8Array, hz: number): number {
  const pcm = mulawDecode(frame);
  const k = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const x of pcm) {
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x * x;
  }
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  return energy === 0 ? 0 : (2 * power) / (pcm.length * energy);
}

describe.concurrent("sandbox personas over a real-time line", REAL_TIME, () => {
  it("0109 phone menu: a wrong digit repeats the menu, only 1 gets through to a person", async () => {
    const call = new AgentSide("0109");
    try {
      await call.hears("menuPrompt");
      // Talking does not choose anything; the menu times out and asks again.
      await call.say(AGENT_SHORT);
      await call.hears("menuNoInput");
      await call.hears("menuPrompt", 2);
      call.pair.pressDigit("3");
      await call.hears("menuInvalid");
      await call.hears("menuPrompt", 3);
      call.pair.pressDigit("1");
      await call.hears("menuConnecting");
      await call.hears("menuPerson");
      expect(call.events.filter((e) => e.type === "digit")).toEqual([
        { type: "digit", digit: "3", accepted: false },
        { type: "digit", digit: "1", accepted: true },
      ]);
      expect(call.heard.map((h) => h.text)).not.toContain(text("menuGiveUp"));
    } finally {
      call.close();
    }
  }, 60_000);

  it("0110 hold queue: music and announcements for the hold time, then a person", async () => {
    const call = new AgentSide("0110");
    try {
      await call.hears("holdWelcome");
      await call.hears("holdPerson");
      const welcomeEnd = call.heard.find((h) => h.text === text("holdWelcome"))!.frame;
      const personEnd = call.heard.find((h) => h.text === text("holdPerson"))!.frame;
      const holdFrames = call.frames.slice(welcomeEnd, personEnd);
      const announcements = call.heard.filter((h) => h.text === text("holdAnnouncement")).length;
      expect(announcements).toBeGreaterThanOrEqual(1);
      // Music is recognised byte for byte: the loop's frames are deterministic.
      const loop = speech.holdMusic();
      const musicFrames = new Set<string>();
      for (let i = 0; i < loop.length; i += 160)
        musicFrames.add(Buffer.from(loop.subarray(i, i + 160)).toString("hex"));
      const music = holdFrames.filter((f) => musicFrames.has(Buffer.from(f).toString("hex"))).length;
      expect(music).toBeGreaterThanOrEqual(FAST.holdMusicSeconds! * 50);
      // The person came only after the configured hold time.
      const person = await speech.line(text("holdPerson"), lineOf("holdPerson").voice);
      expect(holdFrames.length - person.length / 160).toBeGreaterThanOrEqual((FAST.holdSeconds! - 0.2) * 50);
    } finally {
      call.close();
    }
  }, 60_000);

  it("0108 voicemail: greeting, a 1 kHz beep, then it records the message and hangs up after silence", async () => {
    const call = new AgentSide("0108");
    try {
      await call.hears("voicemailGreeting");
      const greetingEnd = call.heard[0]!.frame;
      await call.until(
        "the beep",
        () => call.frames.slice(greetingEnd).filter((f) => toneShare(f, 1000) > 0.9).length >= 20,
      );
      const beepFrames = call.frames.slice(greetingEnd).filter((f) => toneShare(f, 1000) > 0.9).length;
      expect(beepFrames).toBeGreaterThanOrEqual(20);
      expect(beepFrames).toBeLessThanOrEqual(27);
      await call.say(AGENT_LONG);
      await call.waitEnded();
      const recorded = call.events.find((e) => e.type === "voicemail_recorded");
      expect(recorded).toBeDefined();
      // The whole message was heard before the mailbox hung up.
      expect(recorded?.type === "voicemail_recorded" && recorded.speechMs).toBeGreaterThan(3000);
      expect(call.events.at(-1)).toEqual({ type: "hangup" });
      // What the mailbox kept is the message as played after the beep.
      expect(call.callee.verdict().actions).toEqual([
        { action: "message", text: AGENT_LONG, complete: true, states_purpose: true },
      ]);
    } finally {
      call.close();
    }
  }, 60_000);

  it("0108 voicemail: a message the mailbox cuts off at its limit is kept as far as it got, not complete", async () => {
    const call = new AgentSide("0108", { voicemailMaxMs: 2500 });
    try {
      await call.hears("voicemailGreeting");
      await call.until("the beep", () => call.frames.filter((f) => toneShare(f, 1000) > 0.9).length >= 20);
      const speaking = call.say(AGENT_LONG);
      await call.waitEnded();
      await speaking;
      const [message] = call.callee.verdict().actions;
      expect(message).toMatchObject({ action: "message", complete: false });
      const text = message?.action === "message" ? message.text : "";
      expect(text.length).toBeGreaterThan(0);
      expect(text.length).toBeLessThan(AGENT_LONG.length);
      expect(AGENT_LONG.startsWith(text)).toBe(true);
    } finally {
      call.close();
    }
  }, 60_000);

  it("0116 hangs up as soon as the agent starts talking", async () => {
    const call = new AgentSide("0116");
    try {
      await call.hears("hello");
      const speaking = call.say(AGENT_LONG);
      await call.waitEnded();
      await speaking;
      // Hung up while the agent's (several seconds long) line was still playing.
      expect(call.played.size).toBe(0);
      expect(call.events.at(-1)).toEqual({ type: "hangup" });
    } finally {
      call.close();
    }
  }, 60_000);

  it("0114 interrupter speaks over the agent once, then waits for its answer and reacts to it", async () => {
    const call = new AgentSide("0114");
    try {
      await call.hears("hello");
      const speaking = call.say(AGENT_LONG);
      await call.hears("interrupterCutIn");
      // The cut-in was heard in full while the agent's line was still playing.
      expect(call.played.size).toBe(0);
      expect(call.events).toContainEqual({ type: "interrupted" });
      await speaking;
      // The end of the line it talked over is not an answer: it waits for the agent's next turn.
      const before = call.frames.length;
      await call.until("a second after the agent's line", () => call.frames.length >= before + 50);
      expect(call.heard.map((h) => h.text)).not.toContain(text("interrupterGotIt"));
      await call.say(AGENT_SHORT);
      await call.hears("interrupterGotIt");
      await call.waitEnded();
      expect(call.events.filter((e) => e.type === "interrupted")).toHaveLength(1);
      expect(call.callee.verdict().actions).toEqual([{ action: "handled" }]);
    } finally {
      call.close();
    }
  }, 60_000);

  it("0115 silent line: answers and never makes a sound, even when spoken to", async () => {
    const call = new AgentSide("0115");
    try {
      await call.say(AGENT_SHORT);
      await call.until("two more seconds", () => call.frames.length >= 250);
      expect(call.frames.every((f) => f.every((b) => b === 0xff))).toBe(true);
      expect(call.pair.ended).toBe(false);
    } finally {
      call.close();
    }
  }, 60_000);

  it("0113 call screener asks who is calling, then a person picks up", async () => {
    const call = new AgentSide("0113");
    try {
      await call.hears("screenerPrompt");
      expect(call.heard.map((h) => h.text)).not.toContain(text("screenerPerson"));
      await call.say(AGENT_SHORT);
      await call.hears("screenerHold");
      await call.hears("screenerPerson");
    } finally {
      call.close();
    }
  }, 60_000);

  it("0100 receptionist confirms the appointment it was told about, then hangs up", async () => {
    const call = new AgentSide("0100");
    try {
      await call.hears("deskGreeting");
      await call.say(OPENING_0100);
      await call.hears("book.confirmed.lee");
      await call.say(CLOSING);
      await call.hears("deskGoodbye");
      await call.waitEnded();
      expect(call.heard.map((h) => h.text)).toEqual(
        (["deskGreeting", "book.confirmed.lee", "deskGoodbye"] as const).map(text),
      );
      expect(call.events.at(-1)).toEqual({ type: "hangup" });
      expect(call.callee.verdict()).toEqual({
        persona: "0100",
        actions: [{ action: "confirmed", appointment: "Jordan Lee 2026-03-03 10:00" }],
        nothing_done: null,
      });
    } finally {
      call.close();
    }
  }, 90_000);
});
