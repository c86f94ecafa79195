// Room sandbox/: the simulated phone network: magic numbers, scripted personas, offline speech, recordings.
import type { SandboxVerdict } from "@clawcall/contract";
import type { MediaStream } from "../media/media-stream.ts";
import type { Logger } from "../observability/logger.ts";
import {
  type BridgeOptions,
  type BridgeResult,
  type Carrier,
  type CarrierEvent,
  DialRefusedError,
  type DialRequest,
  type HangupCause,
  type HangupSource,
} from "../telephony/carrier.ts";
import type { SpokenTextJournal } from "../voice/spoken-text.ts";
import { answeredByMachine, magicLine, networkBehaviour } from "./magic-numbers.ts";
import { createMediaPair, type MediaPair } from "./media-pair.ts";
import type { CalleeContext, CalleeControls } from "./personas/index.ts";
import { PlayedTextFollower } from "./played-text.ts";

/** A callee on a sandbox line: hears the agent's played words, and at the end says what it did. */
export interface SandboxCallee {
  stop(): void;
  hear?(text: string): void;
  verdict?(): SandboxVerdict;
}

/** Who answers a sandbox call: given the line and the callee's side of the media, it plays its part. */
export interface CalleeFactory {
  start(
    line: string | null,
    media: MediaStream,
    controls: CalleeControls,
    context?: CalleeContext,
  ): SandboxCallee;
  /** The text of the agent's audio by playback mark, noted by the voice session (see SpokenTextJournal). */
  spokenText?: SpokenTextJournal;
  /** Recording sink for a call's two directions of audio, if recording is on. */
  record?(callId: string): {
    write(fromAgent: Uint8Array, fromCallee: Uint8Array): void;
    finish(): Promise<{ url: string; expiresAt: Date } | null>;
  } | null;
}

export interface SandboxNetworkSettings {
  /** Time from dial to answer; other timings scale from it so tests can shorten everything at once. */
  ringSeconds: number;
  frameMs?: number;
  /** Jitter of each frame the agent's side of a line receives, in ms (see createMediaPair). */
  onFrameJitter?: (ms: number) => void;
}

interface SandboxCall {
  id: string;
  to: string;
  timers: NodeJS.Timeout[];
  pair: MediaPair | null;
  callee: SandboxCallee | null;
  /** The party a handoff joined to the callee, on the agent's side of the line. */
  bridged: SandboxCallee | null;
  answered: boolean;
  ended: boolean;
  /** Waits that end early when the call does (a handoff ringing when a party hangs up). */
  onEnd: Set<() => void>;
  recorder: ReturnType<NonNullable<CalleeFactory["record"]>>;
}

/** How long the two parties of a sandbox handoff may talk before the network ends the call. */
const BRIDGED_TALK_LIMIT_SECONDS = 60;

// SIP codes the way a real network reports these outcomes.
const SIP: Partial<Record<HangupCause, string>> = {
  busy: "486",
  no_answer: "480",
  rejected: "603",
  invalid_number: "404",
  unreachable: "503",
  normal: "200",
};

/**
 * The simulated phone network behind the Carrier seam: ring times, every network outcome of the magic
 * number table, and answered calls that carry real-time 8 kHz audio to a scripted callee.
 */
export class SandboxNetwork implements Carrier {
  readonly name = "sandbox";
  // Each recording is reported before its call's hang-up.
  readonly recordingsFollowHangup = false;
  private listener: (event: CarrierEvent) => void = () => {};
  private readonly calls = new Map<string, SandboxCall>();

  constructor(
    private readonly settings: SandboxNetworkSettings,
    private readonly callees: CalleeFactory,
    private readonly logger: Logger,
  ) {}

  onEvent(listener: (event: CarrierEvent) => void): void {
    this.listener = listener;
  }

  private emit(event: CarrierEvent) {
    // Carriers deliver events asynchronously (webhooks); never re-enter the caller's stack.
    setImmediate(() => this.listener(event));
  }

  private later(call: SandboxCall, seconds: number, fn: () => void) {
    call.timers.push(setTimeout(fn, Math.max(0, seconds * 1000)));
  }

  async dial(request: DialRequest): Promise<void> {
    const behaviour = networkBehaviour(request.to);
    if (behaviour === "dial_refused") throw new DialRefusedError("destination refused by the network", "D13");
    const call: SandboxCall = {
      id: request.callId,
      to: request.to,
      timers: [],
      pair: null,
      callee: null,
      bridged: null,
      answered: false,
      ended: false,
      onEnd: new Set(),
      recorder: null,
    };
    this.calls.set(call.id, call);
    const ring = this.settings.ringSeconds;
    const ringingAt = ring * 0.25;

    switch (behaviour) {
      case "invalid_number":
      case "unreachable":
        // These never ring: the network answers with an intercept at once.
        this.later(call, ring * 0.5, () => this.end(call, behaviour, "callee"));
        return;
      case "busy":
        this.later(call, ringingAt, () => this.emit({ type: "ringing", callId: call.id }));
        this.later(call, ring * 0.7, () => this.end(call, "busy", "callee"));
        return;
      case "rejected":
        this.later(call, ringingAt, () => this.emit({ type: "ringing", callId: call.id }));
        this.later(call, ring, () => this.end(call, "rejected", "callee"));
        return;
      case "no_answer":
        this.later(call, ringingAt, () => this.emit({ type: "ringing", callId: call.id }));
        this.later(call, Math.min(request.ringTimeoutSeconds, ring * 6), () =>
          this.end(call, "no_answer", "callee"),
        );
        return;
      default:
        this.later(call, ringingAt, () => this.emit({ type: "ringing", callId: call.id }));
        this.later(call, ring, () => this.answer(call, behaviour === "drops_mid_call", request.record));
    }
  }

  private answer(call: SandboxCall, dropsMidCall: boolean, record: boolean) {
    if (call.ended) return;
    call.answered = true;
    call.recorder = record ? (this.callees.record?.(call.id) ?? null) : null;
    const recorder = call.recorder;
    const pair = createMediaPair({
      frameMs: this.settings.frameMs,
      onFrameJitter: this.settings.onFrameJitter,
      onTap: recorder ? (a, c) => recorder.write(a, c) : undefined,
      agentWords: new PlayedTextFollower(this.callees.spokenText, (text) => call.callee?.hear?.(text)),
      calleeWords: new PlayedTextFollower(this.callees.spokenText, (text) => call.bridged?.hear?.(text)),
    });
    call.pair = pair;
    this.emit({
      type: "answered",
      callId: call.id,
      answeredBy: answeredByMachine(call.to) ? "machine" : "human",
    });
    this.emit({ type: "media", callId: call.id, stream: pair.agent });
    call.callee = this.callees.start(
      magicLine(call.to),
      pair.callee,
      {
        hangup: () => this.end(call, "normal", "callee"),
        pressDigit: (digit) => pair.calleePressDigit(digit),
      },
      { number: call.to },
    );
    if (dropsMidCall) {
      // The far end is still talking when the audio path fails a little into the call.
      this.later(call, Math.max(0.5, this.settings.ringSeconds / 2), () =>
        this.end(call, "network_error", "unknown"),
      );
    }
  }

  /** Ends the call; resolves once its recording (if any) has been reported. */
  private end(call: SandboxCall, cause: HangupCause, source: HangupSource): Promise<void> {
    if (call.ended) return Promise.resolve();
    call.ended = true;
    for (const t of call.timers) clearTimeout(t);
    for (const wake of call.onEnd) wake();
    // The line first: the callee is told the words played up to the hang-up before it stops.
    call.pair?.end(cause === "network_error" ? "dropped" : "hangup");
    call.callee?.stop();
    call.bridged?.stop();
    const verdict = call.callee?.verdict?.();
    const bridged = call.bridged?.verdict?.();
    // Before the hang-up, so the final call view carries it.
    if (verdict)
      this.emit({
        type: "sandbox_report",
        callId: call.id,
        report: { verdict, ...(bridged ? { bridged } : {}) },
      });
    this.calls.delete(call.id);
    const hangup: CarrierEvent = { type: "hangup", callId: call.id, cause, source, sipCode: SIP[cause] };
    const recorder = call.recorder;
    if (!recorder) {
      this.emit(hangup);
      return Promise.resolve();
    }
    // The recording is closed and reported before the hang-up, so the final result carries its link.
    return recorder
      .finish()
      .then((link) => {
        if (link)
          this.listener({ type: "recording", callId: call.id, url: link.url, expiresAt: link.expiresAt });
      })
      .catch((err) => this.logger.error({ err, callId: call.id }, "sandbox recording failed"))
      .finally(() => this.emit(hangup));
  }

  async hangup(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (call) await this.end(call, call.answered ? "normal" : "cancelled", "caller");
  }

  async sendDigits(callId: string, digits: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call?.pair) return;
    for (const d of digits) {
      if (call.ended) return;
      // A tone lasts about 100 ms with a gap after it; `w` is a half-second pause.
      await new Promise((r) => setTimeout(r, d === "w" ? 500 : 150));
      if (d !== "w") call.pair.pressDigit(d);
    }
  }

  async bridge(callId: string, to: string, _from: string, options?: BridgeOptions): Promise<BridgeResult> {
    const call = this.calls.get(callId);
    if (!call?.pair) return { ok: false, reason: "failed", message: "the call is not connected" };
    const behaviour = networkBehaviour(to);
    const ring = this.settings.ringSeconds;
    const ended = {
      ok: false,
      reason: "failed",
      message: "the call ended before the bridge connected",
    } as const;
    // Rings for `s` seconds, or until the call ends; true when the call is still up.
    const wait = (s: number) =>
      new Promise<boolean>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          call.onEnd.delete(done);
          resolve(!call.ended);
        };
        const timer = setTimeout(done, s * 1000);
        call.onEnd.add(done);
      });
    switch (behaviour) {
      case "answers": {
        if (!(await wait(ring))) return ended;
        // The agent leaves: its media stream ends, and the bridged party takes its side of the line. The
        // two talk, and one of them hangs up (or the network does, after a while).
        // A warm greeting is played to the user's leg alone before the join, as a carrier's whisper is:
        // the user hears it, the other party and the recording do not.
        call.bridged = this.callees.start(
          "bridged",
          call.pair.handOver(),
          { hangup: () => this.end(call, "normal", "callee") },
          { number: to, ...(options?.greeting ? { greeting: options.greeting } : {}) },
        );
        this.later(call, BRIDGED_TALK_LIMIT_SECONDS, () => this.end(call, "normal", "callee"));
        return { ok: true };
      }
      case "busy":
        if (!(await wait(ring * 0.4))) return ended;
        return { ok: false, reason: "busy", message: "the bridge number was busy" };
      case "rejected":
        if (!(await wait(ring))) return ended;
        return { ok: false, reason: "rejected", message: "the bridge call was declined" };
      case "no_answer":
        if (!(await wait(ring * 6))) return ended;
        return { ok: false, reason: "no_answer", message: "nobody answered the bridge number" };
      default:
        if (!(await wait(ring * 0.3))) return ended;
        return { ok: false, reason: "failed", message: "the bridge number could not be reached" };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.calls.values()].map((call) => this.end(call, "cancelled", "system")));
  }
}
