import { randomUUID } from "node:crypto";
import { ToneDetector } from "../../src/voice/tone-detector.ts";
import type { CalleeFactory, EmulatedCallee } from "./callee.ts";
import { FAILURE_HANGUPS, type Scenario, scenarioFor } from "./magic-numbers.ts";
import { MediaClient } from "./media-client.ts";

export type CallPhase = "ringing" | "answered" | "bridged" | "ended";

export interface CallTimings {
  ringMs: number;
  /** Replaces timeout_secs for "nobody answers", so tests need not wait 30 s. */
  noAnswerMs: number | undefined;
  dropAfterMs: number;
  /** After a transfer connects, the longest the two parties talk before the network ends the call. */
  bridgedTalkMs: number;
  /** Answering-machine detection listens this long after answer before its verdict (Telnyx: seconds). */
  amdMs: number;
  /** How long after the hang-up call.recording.saved is sent. */
  recordingDelayMs: number;
}

export interface CallHost {
  timings: CallTimings;
  calleeFactory: CalleeFactory;
  emit(call: EmulatedCall, eventType: string, extra?: Record<string, unknown>, leg?: BridgeLeg): void;
  recordingUrl(call: EmulatedCall): string;
  onEnded(call: EmulatedCall): void;
}

export interface DialBody {
  to: string;
  from: string;
  connection_id: string;
  client_state?: string;
  webhook_url?: string;
  timeout_secs?: number;
  stream_url?: string;
  stream_auth_token?: string;
  answering_machine_detection?: string;
  record?: string;
}

export interface BridgeLeg {
  callControlId: string;
  callLegId: string;
  to: string;
  from: string;
  clientState: string | undefined;
}

/** One call at the emulated Telnyx: rings, answers or fails per its magic number, streams media. */
export class EmulatedCall {
  readonly callControlId = `v3:${randomUUID().replaceAll("-", "")}`;
  readonly callLegId = randomUUID();
  readonly callSessionId = randomUUID();
  readonly recordingId = randomUUID();
  readonly scenario: Scenario;
  phase: CallPhase = "ringing";
  private verdictSent = false;
  private beepHeard = false;
  media: MediaClient | undefined;
  private callee: EmulatedCallee | undefined;
  digitsReceived = "";
  bridgeLeg: BridgeLeg | undefined;
  /** Once bridged, a hang-up by either party ends both legs. */
  private hangUpBoth: (() => void) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly body: DialBody,
    private readonly host: CallHost,
    private readonly overLimit: boolean,
  ) {
    this.scenario = scenarioFor(body.to);
  }

  get webhookUrl(): string | undefined {
    return this.body.webhook_url;
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  start(): void {
    this.host.emit(this, "call.initiated", { direction: "outgoing", state: "bridging" });
    const [ms, next] = this.plan();
    this.later(ms, next);
  }

  /** What happens after the call starts ringing, and when. */
  private plan(): [number, () => void] {
    const { ringMs, noAnswerMs } = this.host.timings;
    if (this.overLimit) return [0, () => this.fail(FAILURE_HANGUPS.channel_limit)];
    switch (this.scenario) {
      case "busy":
        return [ringMs / 4, () => this.fail(FAILURE_HANGUPS.busy)];
      case "rejected":
        return [ringMs / 2, () => this.fail(FAILURE_HANGUPS.rejected)];
      case "invalid":
        return [0, () => this.fail(FAILURE_HANGUPS.invalid)];
      case "unreachable":
        return [0, () => this.fail(FAILURE_HANGUPS.unreachable)];
      case "no_answer":
        return [
          noAnswerMs ?? (this.body.timeout_secs ?? 30) * 1000,
          () => this.fail(FAILURE_HANGUPS.no_answer),
        ];
      default:
        return [ringMs, () => this.answer()];
    }
  }

  private fail(h: { cause: string; sip: string; source: string }): void {
    this.end(h.cause, h.sip, h.source);
  }

  private answer(): void {
    if (this.phase !== "ringing") return;
    this.phase = "answered";
    this.host.emit(this, "call.answered", { state: "answered", start_time: new Date().toISOString() });
    const amd = this.body.answering_machine_detection;
    if (amd && amd !== "disabled") {
      const machine = this.scenario === "voicemail";
      // Premium detection has its own event and tells a business line from a home one.
      const [event, result] =
        amd === "premium"
          ? ["call.machine.premium.detection.ended", machine ? "machine" : "human_business"]
          : ["call.machine.detection.ended", machine ? "machine" : "human"];
      this.later(this.host.timings.amdMs, () => {
        this.host.emit(this, event, { result });
        this.verdictSent = true;
        // Telnyx reports the beep after the machine verdict, even when it heard it before.
        if (this.beepHeard) this.reportBeep();
      });
    }
    if (this.body.stream_url) this.connectMedia(this.body.stream_url);
    if (this.scenario === "drop") this.later(this.host.timings.dropAfterMs, () => this.media?.drop());
  }

  private connectMedia(url: string): void {
    let client: MediaClient | undefined;
    const callee = this.host.calleeFactory({
      to: this.body.to,
      callControlId: this.callControlId,
      sendDigit: (digit) => client?.sendDigit(digit),
      hangup: () => (this.hangUpBoth ? this.hangUpBoth() : this.end("normal_clearing", "200", "callee")),
    });
    this.callee = callee;
    client = new MediaClient({
      url,
      authToken: this.body.stream_auth_token,
      callControlId: this.callControlId,
      callSessionId: this.callSessionId,
      from: this.body.from,
      to: this.body.to,
      clientState: this.body.client_state,
      callee: this.listensForBeep() ? this.withBeepWatch(callee) : callee,
    });
    this.media = client;
    void client.opened.then((ok) => {
      if (ok && this.phase !== "ended") this.host.emit(this, "streaming.started", { stream_url: url });
      else if (!ok) this.host.emit(this, "streaming.failed", { failure_reason: "connection_failed" });
    });
  }

  /** detect_beep and premium detection report a voicemail greeting's final beep. */
  private listensForBeep(): boolean {
    const amd = this.body.answering_machine_detection;
    return this.scenario === "voicemail" && (amd === "detect_beep" || amd === "premium");
  }

  private reportBeep(): void {
    const event =
      this.body.answering_machine_detection === "premium"
        ? "call.machine.premium.greeting.ended"
        : "call.machine.greeting.ended";
    this.host.emit(this, event, { result: "beep_detected" });
  }

  /** Listens to what the callee plays, as Telnyx does, and reports the first beep once. */
  private withBeepWatch(callee: EmulatedCallee): EmulatedCallee {
    const tones = new ToneDetector();
    return {
      // Everything but the callee's own frames passes through untouched.
      hearAgent: (frame) => callee.hearAgent(frame),
      hearDigit: (digit) => callee.hearDigit(digit),
      agentPlayed: (bytes) => callee.agentPlayed?.(bytes),
      agentMark: (name) => callee.agentMark?.(name),
      agentCleared: (remaining, marks) => callee.agentCleared?.(remaining, marks),
      close: () => callee.close(),
      nextFrame: () => {
        const frame = callee.nextFrame();
        if (frame && !this.beepHeard && tones.process(frame) !== null) {
          this.beepHeard = true;
          if (this.verdictSent) this.reportBeep();
        }
        return frame;
      },
    };
  }

  /** Our side hung up (hangup command). */
  hangupByCaller(): void {
    if (this.phase === "ringing") this.end("originator_cancel", "487", "caller");
    else this.end("normal_clearing", "200", "caller");
  }

  sendDtmf(digits: string): void {
    const keys = [...digits].filter((d) => /[0-9A-D*#]/.test(d));
    this.digitsReceived += keys.join("");
    keys.forEach((d, i) => {
      this.later(i * 100, () => this.callee?.hearDigit(d));
    });
  }

  transfer(to: string, from: string, targetState: string | undefined, timeoutSecs: number | undefined): void {
    const leg: BridgeLeg = {
      callControlId: `v3:${randomUUID().replaceAll("-", "")}`,
      callLegId: randomUUID(),
      to,
      from,
      clientState: targetState,
    };
    this.bridgeLeg = leg;
    this.host.emit(this, "call.initiated", { direction: "outgoing", state: "bridging" }, leg);
    const { ringMs, noAnswerMs } = this.host.timings;
    const scenario = scenarioFor(to);
    const legFail = (h: { cause: string; sip: string; source: string }) =>
      this.host.emit(
        this,
        "call.hangup",
        { hangup_cause: h.cause, sip_hangup_cause: h.sip, hangup_source: h.source, state: "hangup" },
        leg,
      );
    if (scenario === "no_answer" || scenario === "bridge_no_answer") {
      this.later(noAnswerMs ?? (timeoutSecs ?? 30) * 1000, () => legFail(FAILURE_HANGUPS.no_answer));
    } else if (scenario === "busy") this.later(ringMs / 4, () => legFail(FAILURE_HANGUPS.busy));
    else if (scenario === "rejected") this.later(ringMs / 2, () => legFail(FAILURE_HANGUPS.rejected));
    else if (scenario === "invalid") this.later(0, () => legFail(FAILURE_HANGUPS.invalid));
    else {
      this.later(ringMs, () => {
        if (this.phase !== "answered") return;
        this.phase = "bridged";
        this.host.emit(this, "call.answered", { state: "answered" }, leg);
        this.host.emit(this, "call.bridged", {});
        this.host.emit(this, "call.bridged", {}, leg);
        // Either party hanging up ends the call for both, the bridge leg first.
        const hangUpBoth = () => {
          if (this.phase === "ended") return;
          this.host.emit(
            this,
            "call.hangup",
            {
              hangup_cause: "normal_clearing",
              sip_hangup_cause: "200",
              hangup_source: "callee",
              state: "hangup",
            },
            leg,
          );
          this.end("normal_clearing", "200", "callee");
        };
        this.hangUpBoth = hangUpBoth;
        // The agent's stream leaves once the two parties are joined; the user takes its place and the
        // two talk, as on the direct sandbox, until one hangs up (or the network does, after a while).
        const user = this.host.calleeFactory({
          to: leg.to,
          callControlId: leg.callControlId,
          leg: "bridge",
          sendDigit: () => {},
          hangup: hangUpBoth,
        });
        if (this.media) this.media.handOver(user);
        else user.close();
        this.later(this.host.timings.bridgedTalkMs, hangUpBoth);
      });
    }
  }

  end(cause: string, sip: string, source: string): void {
    if (this.phase === "ended") return;
    const wasAnswered = this.phase !== "ringing";
    this.phase = "ended";
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.media?.stop();
    this.host.emit(this, "call.hangup", {
      hangup_cause: cause,
      sip_hangup_cause: sip,
      hangup_source: source,
      state: "hangup",
    });
    if (wasAnswered && this.body.record === "record-from-answer") {
      const endedAt = new Date().toISOString();
      // Telnyx saves the recording after the hang-up, usually a few seconds later.
      this.later(this.host.timings.recordingDelayMs, () =>
        this.host.emit(this, "call.recording.saved", {
          channels: "dual",
          recording_started_at: endedAt,
          recording_ended_at: endedAt,
          recording_urls: { mp3: this.host.recordingUrl(this), wav: null },
          public_recording_urls: {},
        }),
      );
    }
    this.host.onEnded(this);
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.media?.drop();
  }
}
