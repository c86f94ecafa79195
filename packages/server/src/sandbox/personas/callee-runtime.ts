import type { MediaStream } from "../../media/media-stream.ts";
import type { SpokenTextJournal } from "../../voice/spoken-text.ts";
import type { CalleeSpeech } from "../speech/callee-speech.ts";
import { EnergyVad } from "../speech/energy-vad.ts";
import { frameAligned } from "../speech/tones.ts";
import type { LineKey, Utterance } from "./lines.ts";
import { lineOf } from "./lines.ts";

/** How long things take on a sandbox call; defaults are realistic, tests shorten them. */
export interface CalleeTimings {
  /** Pause before a persona answers the agent's turn. */
  replyDelayMs: number;
  /** Silence that ends the agent's turn, as the persona hears it. */
  agentTurnEndMs: number;
  /** How long a persona waits for the agent before "Hello? Are you still there?" (and then hangs up). */
  idleTimeoutMs: number;
  /** After its goodbye, how long a persona stays on the line before hanging up. */
  goodbyeGraceMs: number;
  /** 0110: total time in the hold queue. */
  holdSeconds: number;
  /** 0110: music between two "your call is important to us". */
  holdMusicSeconds: number;
  /** 0109: how long the menu waits for a digit after its prompt. */
  menuTimeoutMs: number;
  /** 0109, 0113: pause before the person picks up. */
  connectPauseMs: number;
  /** 0114: how long into the agent's turn the interrupter starts talking over it. */
  interruptAfterMs: number;
  /** 0116: how soon after the agent starts talking the person hangs up. */
  hangupDelayMs: number;
  /** 0108: silence that ends a voicemail message (and a recording nobody speaks into). */
  voicemailSilenceMs: number;
  /** 0108: the longest message the mailbox records. */
  voicemailMaxMs: number;
}

export const DEFAULT_TIMINGS: CalleeTimings = {
  replyDelayMs: 400,
  agentTurnEndMs: 700,
  idleTimeoutMs: 10_000,
  goodbyeGraceMs: 1500,
  holdSeconds: 45,
  holdMusicSeconds: 12,
  menuTimeoutMs: 6000,
  connectPauseMs: 1500,
  interruptAfterMs: 1500,
  hangupDelayMs: 300,
  voicemailSilenceMs: 4000,
  voicemailMaxMs: 60_000,
};

/**
 * What a persona knows of its call beyond its line: the number dialled, a code its owner was shown (see
 * ShownCodes), and what a user a handoff rang heard as they picked up.
 */
export interface CalleeContext {
  number?: string;
  shownCode?: string;
  greeting?: string;
}

/** What a persona does to the line besides speaking: hang up, press keys. */
export interface CalleeControls {
  hangup(): void;
  pressDigit?(digit: string): void;
}

/** What a persona did, for tests and the simulation's own records (never logged with text). */
export type CalleeEvent =
  | { type: "said"; line: LineKey }
  | { type: "digit"; digit: string; accepted: boolean }
  | { type: "interrupted" }
  | { type: "voicemail_recorded"; speechMs: number }
  | { type: "hangup" };

/** Thrown out of a persona's waits once the call is over, ending its script. */
export class CalleeStopped extends Error {
  constructor() {
    super("the sandbox call ended");
    this.name = "CalleeStopped";
  }
}

type Waiter = { wake(): void; fail(error: Error): void };

/** Numbers each runtime, so its mark names are unique in a journal shared by every call. */
let runtimes = 0;

/**
 * The primitives a persona script is written in: speak a line and know when it has been heard, follow
 * the agent's turns by the loudness of its audio, take keypad digits, wait, hang up. Everything is
 * driven by the media line's 20 ms clock and timers, so a script plays out the same way every run.
 */
export class CalleeRuntime {
  private readonly vad: EnergyVad;
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly digits: string[] = [];
  private readonly id = ++runtimes;
  private marks = 0;
  private readonly markWaiters = new Map<string, () => void>();
  private stopped = false;
  /**
   * The persona's lines so far, and the line that was the latest when the agent's current turn began:
   * only a turn begun after a line started answers it (a turn cut short by the persona's barge-in does
   * not), and one that ended while the persona spoke is not missed.
   */
  private linesBegun = 0;
  private turnBeganAfterLine = 0;
  private answers = 0;
  lastAgentVoiceAt = 0;
  /** When the persona's last line or sound finished playing: quiet time is counted from there. */
  private lastOwnSoundAt = performance.now();
  /** Words of the agent's played audio not yet taken by the script. */
  private heard: string[] = [];

  constructor(
    private readonly media: MediaStream,
    private readonly controls: CalleeControls,
    readonly speech: CalleeSpeech,
    readonly timings: CalleeTimings,
    private readonly onEvent: (event: CalleeEvent) => void,
    private readonly journal?: SpokenTextJournal,
    readonly context: CalleeContext = {},
  ) {
    this.vad = new EnergyVad({ releaseFrames: Math.max(1, Math.round(timings.agentTurnEndMs / 20)) });
    media.attach({
      onAudio: (frame) => this.onAgentAudio(frame),
      onDigit: (digit) => {
        this.digits.push(digit);
        this.wakeAll();
      },
      onMark: (name) => {
        const done = this.markWaiters.get(name);
        this.markWaiters.delete(name);
        done?.();
      },
      onClose: () => this.stop(),
    });
  }

  get agentSpeaking(): boolean {
    return this.vad.speaking;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Speaks a line; resolves once it has been played out on the line. */
  async say(key: LineKey): Promise<void> {
    const line: Utterance = lineOf(key);
    const audio = await this.speech.line(line.text, line.voice);
    this.ensureRunning();
    this.beginLine();
    this.onEvent({ type: "said", line: key });
    await this.play(audio, line.text);
  }

  /** From here on, only agent turns that begin after this line count as answers to it. */
  private beginLine(): void {
    this.linesBegun++;
    this.answers = 0;
  }

  /** Words of the agent the callee has heard played, as the line tells them (see PlayedTextFollower). */
  hear(text: string): void {
    // Kept even once stopped: the words played up to a hang-up arrive as the line closes.
    if (text.trim() === "") return;
    this.heard.push(text.trim());
    this.wakeAll();
  }

  /** Everything heard since the last call, in order. */
  takeHeard(): string {
    const text = this.heard.join(" ");
    this.heard = [];
    return text;
  }

  /** Speaks a line unless a keypad digit is (or gets) pending: a digit cuts the line short. */
  async sayUnlessDigit(key: LineKey): Promise<void> {
    const line: Utterance = lineOf(key);
    const audio = await this.speech.line(line.text, line.voice);
    if (this.digits.length > 0) return;
    this.beginLine();
    this.onEvent({ type: "said", line: key });
    let done = false;
    const playing = this.play(audio).then(() => {
      done = true;
      this.wakeAll();
    });
    playing.catch(() => undefined);
    await this.waitFor(3_600_000, () => (done || this.digits.length > 0 ? true : null));
    if (!done) this.silence();
    await playing;
  }

  /** Plays audio (whole frames); resolves once it has been played out. */
  play(audio: Uint8Array, text?: string): Promise<void> {
    this.ensureRunning();
    const name = `persona${this.id}-${++this.marks}`;
    // Another persona on the line (a bridged party) learns the words the way callees learn the agent's.
    if (text !== undefined) this.journal?.note(name, text);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { wake: () => undefined, fail: reject };
      this.waiters.add(waiter);
      this.markWaiters.set(name, () => {
        this.waiters.delete(waiter);
        this.lastOwnSoundAt = performance.now();
        resolve();
      });
      this.media.send(audio);
      this.media.mark(name);
    });
  }

  /** Stops whatever the persona is saying (a digit cut a prompt short). */
  silence(): void {
    this.media.clear();
    // Cleared marks are never reported: release whoever waits on them.
    for (const done of this.markWaiters.values()) done();
    this.markWaiters.clear();
  }

  /**
   * Resolves when the agent has finished a turn begun since the persona's last line began, or once
   * nobody has spoken for `idleMs`: the agent talking (or the persona's own line) restarts the count.
   */
  async waitAgentTurn(idleMs: number): Promise<"turn" | "timeout"> {
    let wait = idleMs;
    for (;;) {
      const result = await this.waitFor(wait, () => {
        if (this.answers === 0) return null;
        this.answers--;
        return "turn" as const;
      });
      if (result === "turn") return result;
      const quietFor = performance.now() - Math.max(this.lastAgentVoiceAt, this.lastOwnSoundAt);
      if (!this.agentSpeaking && quietFor >= idleMs) return "timeout";
      wait = this.agentSpeaking ? idleMs : idleMs - quietFor;
    }
  }

  /** Resolves as soon as the agent is talking, or on timeout. */
  waitAgentSpeech(timeoutMs: number): Promise<"speech" | "timeout"> {
    return this.waitFor(timeoutMs, () => (this.agentSpeaking ? "speech" : null));
  }

  /** Resolves when the agent stops talking, or on timeout. */
  waitAgentQuiet(timeoutMs: number): Promise<"quiet" | "timeout"> {
    return this.waitFor(timeoutMs, () => (this.agentSpeaking ? null : "quiet"));
  }

  /** The next keypad digit (including ones pressed earlier and not yet taken), or null on timeout. */
  waitDigit(timeoutMs: number): Promise<string | null> {
    return this.waitFor(timeoutMs, () => this.digits.shift() ?? null).then((d) =>
      d === "timeout" ? null : d,
    );
  }

  hasPendingDigit(): boolean {
    return this.digits.length > 0;
  }

  sleep(ms: number): Promise<void> {
    return this.waitFor(ms, () => null).then(() => undefined);
  }

  /** Music of about the given length, cut at a frame boundary from the music loop. */
  holdMusic(seconds: number): Uint8Array {
    const loop = this.speech.holdMusic();
    const out = new Uint8Array(frameAligned(Math.max(0, Math.round(seconds * 8000))));
    for (let offset = 0; offset < out.length; offset += loop.length) {
      out.set(loop.subarray(0, Math.min(loop.length, out.length - offset)), offset);
    }
    return out;
  }

  /** Presses keys the caller hears as DTMF, a tone's length apart. */
  async press(digits: string): Promise<void> {
    for (const digit of digits) {
      await this.sleep(150);
      this.controls.pressDigit?.(digit);
    }
  }

  emit(event: CalleeEvent): void {
    this.onEvent(event);
  }

  hangup(): void {
    if (this.stopped) return;
    this.onEvent({ type: "hangup" });
    this.stop();
    this.controls.hangup();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const error = new CalleeStopped();
    for (const waiter of this.waiters) waiter.fail(error);
    this.waiters.clear();
    this.markWaiters.clear();
  }

  private onAgentAudio(frame: Uint8Array): void {
    if (this.stopped) return;
    const change = this.vad.push(frame);
    if (this.vad.speaking) this.lastAgentVoiceAt = performance.now();
    if (change === "start") this.turnBeganAfterLine = this.linesBegun;
    if (change === "end" && this.turnBeganAfterLine === this.linesBegun) this.answers++;
    if (change !== null) this.wakeAll();
  }

  private waitFor<T>(timeoutMs: number, check: () => T | null): Promise<T | "timeout"> {
    this.ensureRunning();
    const now = check();
    if (now !== null) return Promise.resolve(now);
    return new Promise<T | "timeout">((resolve, reject) => {
      const waiter: Waiter = {
        wake: () => {
          const value = check();
          if (value !== null) finish(value);
        },
        fail: (error) => {
          clearTimeout(timer);
          this.timers.delete(timer);
          reject(error);
        },
      };
      const finish = (value: T | "timeout") => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.waiters.delete(waiter);
        resolve(value);
      };
      const timer = setTimeout(() => finish("timeout"), Math.max(0, timeoutMs));
      this.timers.add(timer);
      this.waiters.add(waiter);
    });
  }

  private wakeAll(): void {
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  private ensureRunning(): void {
    if (this.stopped) throw new CalleeStopped();
  }
}
