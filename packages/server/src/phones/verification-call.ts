import { randomUUID, timingSafeEqual } from "node:crypto";
import { DEFAULT_VOICE, type PhoneVerificationError } from "@clawcall/contract";
import type { MediaStream } from "../media/media-stream.ts";
import type { Logger } from "../observability/logger.ts";
import type { TTS } from "../providers/tts/tts.ts";
import { type Carrier, type CarrierEvent, DialRefusedError } from "../telephony/carrier.ts";
import type { SpokenTextJournal } from "../voice/spoken-text.ts";

export type VerificationOutcome = { verified: true } | { verified: false; error: PhoneVerificationError };

/** What a verification call says. It asks for the code and never says it. */
export const VERIFICATION_LINES = {
  ask: "Hello, this is ClawCall, checking that this phone is yours. Please type the code you were shown, on your keypad.",
  askAgain: "Please type the code you were shown now, on your keypad.",
  verified: "Thank you, this phone is now verified. Goodbye.",
  wrong: "Sorry, that code is not right, so this phone is not verified. Goodbye.",
  noCode: "No code was typed, so this phone is not verified. Goodbye.",
} as const;

export interface VerificationCallTimings {
  /** How long the phone may ring. */
  ringSeconds: number;
  /** After the question has been asked, how long the owner has to type the code before it is asked again. */
  typingSeconds: number;
}

export const DEFAULT_VERIFICATION_TIMINGS: VerificationCallTimings = { ringSeconds: 20, typingSeconds: 10 };

/** Past its ring time, how long a verification call may last in all. */
const TALK_LIMIT_SECONDS = 35;

export interface VerificationCallDeps {
  /** The carrier's side line: it hears only the events of the calls dialled through it. */
  carrier: Carrier;
  tts: TTS;
  /** The sandbox's journal of played text, so its callees understand the question (see SpokenTextJournal). */
  spokenText?: SpokenTextJournal;
  logger: Logger;
  timings?: Partial<VerificationCallTimings>;
}

const NOT_ANSWERED = new Set(["busy", "no_answer", "rejected", "cancelled"]);

/**
 * Short calls that ask the person who answers to type a code on the keypad, and say whether it was right.
 * Each call is dialled through the carrier like any call, with no recording and no agent: a fixed
 * question in the agent's voice, then keypad tones (DTMF) heard on the media stream.
 */
export class VerificationCalls {
  private readonly running = new Map<string, (event: CarrierEvent) => void>();
  private readonly timings: VerificationCallTimings;

  constructor(private readonly deps: VerificationCallDeps) {
    this.timings = { ...DEFAULT_VERIFICATION_TIMINGS, ...deps.timings };
    deps.carrier.onEvent((event) => this.running.get(event.callId)?.(event));
  }

  /** Places the call and resolves with how it went once it is over. */
  run(to: string, from: string, code: string): Promise<VerificationOutcome> {
    const callId = randomUUID();
    return new Promise<VerificationOutcome>((resolve) => {
      const call = new OneVerification(this.deps, this.timings, callId, code, (outcome) => {
        this.running.delete(callId);
        resolve(outcome);
      });
      this.running.set(callId, (event) => call.onEvent(event));
      this.deps.carrier
        .dial({ callId, to, from, ringTimeoutSeconds: this.timings.ringSeconds, record: false })
        .catch((err: unknown) => {
          if (!(err instanceof DialRefusedError))
            this.deps.logger.warn({ err }, "verification call not placed");
          call.finish({ verified: false, error: "call_failed" }, false);
        });
    });
  }
}

class OneVerification {
  private answered = false;
  private done = false;
  private digits = "";
  private media: MediaStream | null = null;
  private marks = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private readonly marksPlayed = new Map<string, () => void>();

  constructor(
    private readonly deps: VerificationCallDeps,
    private readonly timings: VerificationCallTimings,
    private readonly callId: string,
    private readonly code: string,
    private readonly settled: (outcome: VerificationOutcome) => void,
  ) {
    // Rings, talks and ends within the minute a caller number lease without a call row is held.
    this.after(timings.ringSeconds + TALK_LIMIT_SECONDS, () =>
      this.finish(this.answered ? { verified: false, error: "no_code" } : notAnswered(), true),
    );
  }

  onEvent(event: CarrierEvent): void {
    switch (event.type) {
      case "answered":
        this.answered = true;
        return;
      case "media":
        if (this.done || this.media) {
          event.stream.close();
          return;
        }
        this.media = event.stream;
        this.converse(event.stream).catch((err: unknown) => {
          this.deps.logger.warn({ err, callId: this.callId }, "verification call failed");
          this.finish({ verified: false, error: "call_failed" }, true);
        });
        return;
      case "hangup":
        this.finish(
          this.answered
            ? this.hungUp()
            : NOT_ANSWERED.has(event.cause)
              ? notAnswered()
              : { verified: false, error: "call_failed" },
          false,
        );
        return;
      default:
        return;
    }
  }

  private async converse(media: MediaStream): Promise<void> {
    let typed: () => void = () => {};
    const complete = new Promise<void>((resolve) => {
      typed = resolve;
    });
    media.attach({
      onAudio: () => {},
      onDigit: (digit) => {
        if (this.digits.length >= this.code.length) return;
        // `#` or `*` ends what was typed early (a short code is then simply wrong).
        if (digit === "#" || digit === "*") this.digits = this.digits.padEnd(this.code.length, "x");
        else this.digits += digit;
        if (this.digits.length >= this.code.length) typed();
      },
      onMark: (name) => this.marksPlayed.get(name)?.(),
      onClose: () => this.finish(this.hungUp(), false),
    });
    const full = () => this.digits.length >= this.code.length;
    // Asked once, and once more if nothing was typed; then a last wait for a code begun but not finished.
    for (const line of [VERIFICATION_LINES.ask, VERIFICATION_LINES.askAgain]) {
      await this.say(line, true);
      await Promise.race([complete, this.sleep(this.timings.typingSeconds)]);
      if (full() || this.digits.length > 0) break;
    }
    if (!full() && this.digits.length > 0)
      await Promise.race([complete, this.sleep(this.timings.typingSeconds)]);
    const outcome: VerificationOutcome = full() ? this.judge() : { verified: false, error: "no_code" };
    const closing = outcome.verified
      ? VERIFICATION_LINES.verified
      : outcome.error === "wrong_code"
        ? VERIFICATION_LINES.wrong
        : VERIFICATION_LINES.noCode;
    await this.say(closing, true);
    this.finish(outcome, true);
  }

  /** The owner hung up: whatever they typed counts (the whole code, before the closing line was said). */
  private hungUp(): VerificationOutcome {
    return this.digits ? this.judge() : { verified: false, error: "no_code" };
  }

  private judge(): VerificationOutcome {
    const typed = Buffer.from(this.digits.slice(0, this.code.length));
    const expected = Buffer.from(this.code);
    return typed.length === expected.length && timingSafeEqual(typed, expected)
      ? { verified: true }
      : { verified: false, error: "wrong_code" };
  }

  /** Speaks a line in the agent's voice; with `untilPlayed`, resolves once it was played to the end. */
  private async say(text: string, untilPlayed = false): Promise<void> {
    const media = this.media;
    if (this.done || !media) return;
    const audio: Uint8Array[] = [];
    for await (const chunk of this.deps.tts.synthesize({
      text,
      voice: DEFAULT_VOICE,
      signal: this.abort.signal,
    }))
      audio.push(chunk);
    if (this.done) return;
    const mark = `verify-${this.callId}-${++this.marks}`;
    const played = new Promise<void>((resolve) => this.marksPlayed.set(mark, resolve));
    // The sandbox's callees understand the question from its text, as they do the agent's words.
    this.deps.spokenText?.note(mark, text);
    for (const chunk of audio) media.send(chunk);
    media.mark(mark);
    if (untilPlayed) await Promise.race([played, this.sleep(15)]);
  }

  private sleep(seconds: number): Promise<void> {
    return new Promise((resolve) => this.after(seconds, resolve));
  }

  private after(seconds: number, fn: () => void): void {
    // Once settled nothing waits any more: what is left of the conversation is dropped with it.
    if (this.done) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, seconds * 1000);
    this.timers.add(timer);
  }

  /** Settles once; `hangUp` ends the call at the carrier when it is still up. */
  finish(outcome: VerificationOutcome, hangUp: boolean): void {
    if (this.done) return;
    this.done = true;
    this.abort.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (hangUp)
      void this.deps.carrier
        .hangup(this.callId)
        .catch((err: unknown) =>
          this.deps.logger.warn({ err, callId: this.callId }, "verification hang-up failed"),
        );
    this.settled(outcome);
  }
}

const notAnswered = (): VerificationOutcome => ({ verified: false, error: "not_answered" });
