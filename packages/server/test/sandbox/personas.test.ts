import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulawDecode } from "../../src/media/mulaw.ts";
import { createMediaPair, type MediaPair } from "../../src/sandbox/media-pair.ts";
import {
  type CalleeEvent,
  type CalleeTimings,
  LINES,
  personaUtterances,
  startSandboxCallee,
} from "../../src/sandbox/personas/index.ts";
import type { LineKey } from "../../src/sandbox/personas/lines.ts";
import { FliteCalleeSpeech } from "../../src/sandbox/speech/callee-speech.ts";
import { PersonaLineIndex } from "../../src/sandbox/speech/line-index.ts";
import { PersonaLineStt } from "../../src/sandbox/speech/persona-line-stt.ts";
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
  ]);
}, 120_000);
afterAll(() => speech.close());

const text = (key: LineKey) => LINES[key].text;

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

  constructor(line: string) {
    this.pair = createMediaPair({});
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
    const callee = startSandboxCallee(
      line,
      this.pair.callee,
      {
        hangup: () => {
          this.hungUpAtFrame = this.frames.length;
          this.pair.end("hangup");
        },
      },
      { speech, ...FAST, onEvent: (e) => this.events.push(e) },
    );
    this.stop = () => {
      callee.stop();
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
      const person = await speech.line(text("holdPerson"), LINES.holdPerson.voice);
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

  it("0114 interrupter speaks over the agent mid-sentence, then lets it go on", async () => {
    const call = new AgentSide("0114");
    try {
      await call.hears("hello");
      const speaking = call.say(AGENT_LONG);
      await call.hears("interrupterCutIn");
      // The cut-in was heard in full while the agent's line was still playing.
      expect(call.played.size).toBe(0);
      expect(call.events).toContainEqual({ type: "interrupted" });
      await speaking;
      await call.hears("interrupterGoAhead");
      await call.say(AGENT_SHORT);
      await call.hears("interrupterBye");
      await call.waitEnded();
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

  it("0100 receptionist holds a whole appointment conversation, then hangs up", async () => {
    const call = new AgentSide("0100");
    try {
      const script: LineKey[] = [
        "deskGreeting",
        "deskAskName",
        "deskFoundAppointment",
        "deskDone",
        "deskGoodbye",
      ];
      for (const line of script) {
        await call.hears(line);
        if (line !== "deskGoodbye") await call.say(AGENT_SHORT);
      }
      await call.waitEnded();
      expect(call.heard.map((h) => h.text)).toEqual(script.map(text));
      expect(call.events.at(-1)).toEqual({ type: "hangup" });
    } finally {
      call.close();
    }
  }, 90_000);
});
