// Room agent/: what the voice agent says and does: instructions, tools, hold, voicemail and menu policy.
import type { AnsweredCall, ConversationEnd } from "../calls/conversation.ts";
import type { MediaCloseReason } from "../media/media-stream.ts";
import type { LLM, LlmMessage, LlmToolCall } from "../providers/llm/llm.ts";
import type { BridgeResult } from "../telephony/carrier.ts";
import { AsyncQueue } from "../voice/async-queue.ts";
import { BargeInPolicy } from "../voice/barge-in.ts";
import type { SpeechSource } from "../voice/reply-pipeline.ts";
import type { UserTurn, VoiceSessionHandlers } from "../voice/voice-session.ts";
import {
  type AgentFailureKind,
  failureOf,
  type ProviderNames,
  type ReportFailure,
  sttFailureOf,
} from "./agent-failure.ts";
import { asksForAgent, HANDOFF_LINES, notConnectedLine, PendingHandoff } from "./handoff.ts";
import { buildInstructions, voicemailInstructions } from "./instructions.ts";
import { failureReason, ReplyWait, runModelTurn, type Speaker } from "./model-turn.ts";
import type { OpeningFacts } from "./opening-line.ts";
import type { OpeningPlan } from "./opening-plan.ts";
import { GOODBYES, isHoldAnnouncement, isVoicemailGreeting, whatAnswered } from "./phrases.ts";
import type { VoiceAgentSettings } from "./settings.ts";
import { agentTools, runTools, type ToolContext } from "./tools.ts";
import { CallHistory } from "./transcript-history.ts";

/** The voice session as the agent sees it: speech out, a few facts about the line. */
export interface AgentVoice extends Speaker {
  readonly speaking: boolean;
  readonly calleeSpeaking: boolean;
  readonly lastActivity: number;
  /** Audio received from the callee so far, in milliseconds of the line's own clock. */
  readonly heardMs: number;
  /** Speech was heard whose words the recogniser has not given yet. */
  readonly wordsPending: boolean;
  /** Asks the recogniser to give what it heard now. */
  flushRecognition(): void;
  stopSpeaking(): void;
}

type AgentEvent =
  | { type: "turn"; turn: UserTurn }
  | { type: "speech_start" }
  | { type: "tone" }
  | { type: "music" }
  | { type: "stt_error"; error: Error }
  | { type: "closed"; reason: MediaCloseReason | "ended" }
  | { type: "deadline" }
  | { type: "machine" }
  | { type: "handoff"; result: BridgeResult }
  | { type: "tick" };

/**
 * listening: answered, nothing said yet, waiting to hear what answered; menu: a phone menu answered and
 * the opening waits for a person; handoff: the user's phone rings and the agent holds the line.
 */
type Mode = "listening" | "menu" | "conversation" | "hold" | "voicemail" | "handoff" | "done";

/** How much longer than planned the opening waits, by the wall clock, on a line that sends no audio. */
const NO_AUDIO_GRACE_MS = 2000;
/** A beep this recent when voicemail is recognised was the greeting's own beep. */
const RECENT_TONE_MS = 2500;
/** After the beep, how much audio to hear while the recogniser finishes the greeting's words. */
const GREETING_AFTER_BEEP_MS = 1500;
/** What a menu says after a key it did not take: still the menu, not a person. */
const MENU_FEEDBACK =
  /\b(not a valid|invalid (option|entry|selection)|did not get|didn't get|try again|returning to)\b/i;

/** What the agent is told about the world around it beyond the call: a clock and where failures go. */
export interface AgentHooks {
  now?: () => number;
  /** Each provider failure the agent meets (recovered or not), for the operator's log and metrics. */
  onFailure?: ReportFailure;
  providerNames?: ProviderNames;
}

/** The structured end of each way the agent ends a call, with the reason in words for the record. */
interface AgentEnd {
  reason: string;
  end: ConversationEnd;
}

/**
 * Holds one answered call: speaks the opening line, answers the callee through the model, runs its
 * tools, and handles hold queues, voicemail and the limits that end a call. Knows nothing about audio.
 */
export class CallAgent {
  private readonly events = new AsyncQueue<AgentEvent>();
  private readonly history: CallHistory;
  private readonly tools;
  private readonly canConnect: boolean;
  private readonly backchannel: BargeInPolicy;
  private readonly now: () => number;
  private voice: AgentVoice | null = null;
  private mode: Mode = "listening";
  private endReason: string | null = null;
  private end: ConversationEnd | undefined;
  private readonly report: ReportFailure;
  private readonly providerNames: ProviderNames;
  private readonly replyWait = new ReplyWait();
  private startedAt = 0;
  /** Audio to hear (ms of the line's clock) before the opening line, unless the callee is still talking. */
  private openingAfterHeardMs = 0;
  private holdStartedAt = 0;
  private voicemailAt = 0;
  private lastToneAt = Number.NEGATIVE_INFINITY;
  private tickPending = false;
  private openingSpoken = false;
  /** The opening spoken (or chosen for the voicemail message); null before. */
  private opening: OpeningFacts | null = null;
  /** The voicemail's beep was heard while the greeting's words were still being recognised. */
  private beepHeardAtMs: number | null = null;
  /** Words of the voicemail's greeting have come in since voicemail was detected. */
  private greetingHeard = false;
  /** The voicemail was recognised by its greeting, not only by the carrier's machine detection. */
  private voicemailConfirmed = false;
  private deadlineEnd: AgentEnd | null = null;
  private handoff: PendingHandoff | null = null;
  /** The agent's media left the line (a handoff joined the user in its place): nothing more may be said. */
  private lineGone = false;
  /** Model calls made so far (for tests and the call record). */
  modelCalls = 0;

  constructor(
    private readonly call: AnsweredCall,
    private readonly llm: LLM,
    private readonly settings: VoiceAgentSettings,
    private readonly openingPlan: OpeningPlan,
    hooks: AgentHooks = {},
  ) {
    this.now = hooks.now ?? (() => performance.now());
    this.report = hooks.onFailure ?? (() => {});
    this.providerNames = hooks.providerNames ?? {
      llm: llm.name,
      stt: "speech recognition",
      tts: "speech synthesis",
    };
    this.history = new CallHistory((entry) => call.appendTranscript(entry));
    this.canConnect = call.request.bridge_number !== undefined;
    this.tools = agentTools(this.canConnect);
    this.backchannel = new BargeInPolicy(settings.voice.bargeIn);
    call.onSignal((signal) => {
      if (signal.type === "beep") {
        // The carrier's beep detector backs up our own: either one starts the message.
        this.heardTone();
        return;
      }
      if (signal.answeredBy !== "machine" || !this.mayBeVoicemail()) return;
      // The opening line is meant for a person; a machine gets the message after its beep instead.
      this.voice?.stopSpeaking();
      this.events.push({ type: "machine" });
    });
  }

  private heardTone(): void {
    this.lastToneAt = this.now();
    this.events.push({ type: "tone" });
  }

  /** Nothing has been exchanged yet, so a late machine verdict can still be believed. */
  private mayBeVoicemail(): boolean {
    return this.mode === "listening" || (this.mode === "conversation" && this.modelCalls === 0);
  }

  /** Handlers for the voice session; pass them when creating it. */
  readonly handlers: VoiceSessionHandlers = {
    onUserTurn: (turn) => this.events.push({ type: "turn", turn }),
    onSpeechStart: () => this.events.push({ type: "speech_start" }),
    onTone: () => this.heardTone(),
    onMusic: () => this.events.push({ type: "music" }),
    onSttError: (error) => this.events.push({ type: "stt_error", error }),
    onClose: (reason) => {
      // Noted at once, not when the queue gets to it: a line queued meanwhile must not be spoken.
      this.lineGone = true;
      this.events.push({ type: "closed", reason });
    },
  };

  /** Runs the call to its end; resolves with the end reason in words and, when known, its structured end. */
  async run(voice: AgentVoice): Promise<{ endReason: string; end?: ConversationEnd }> {
    this.voice = voice;
    this.startedAt = this.now();
    const timers = this.startTimers();
    try {
      if (this.call.signal.aborted) return { endReason: "the call ended before the agent started" };
      this.openingPlan.answered();
      if (this.call.answeredBy === "machine") await this.enterVoicemail("answering machine detected", false);
      else this.openingAfterHeardMs = this.settings.openingWaitMs;
      for await (const event of this.events) {
        await this.handle(event);
        if (this.endReason !== null) break;
      }
      return { endReason: this.endReason ?? "the call ended", ...(this.end ? { end: this.end } : {}) };
    } finally {
      for (const stop of timers) stop();
      this.openingPlan.cancel();
      this.mode = "done";
    }
  }

  private startTimers(): Array<() => void> {
    const tick = setInterval(() => {
      if (this.tickPending) return;
      this.tickPending = true;
      this.events.push({ type: "tick" });
    }, this.settings.tickMs);
    const talkMs = Number.isFinite(this.call.maxTalkSeconds)
      ? Math.max(0, this.call.maxTalkSeconds * 1000)
      : Number.POSITIVE_INFINITY;
    // setTimeout cannot wait longer than about 24.8 days.
    const limitMs = Math.min(talkMs, this.settings.maxCallMs, 2 ** 31 - 1);
    this.deadlineEnd =
      talkMs < this.settings.maxCallMs
        ? { reason: "the caller's remaining talk time ran out", end: { cause: "balance_exhausted" } }
        : { reason: "the maximum call length was reached", end: { cause: "max_duration" } };
    const reserve = Math.min(this.settings.goodbyeReserveMs, limitMs / 4);
    const deadline = setTimeout(
      () => {
        // Cut any reply short so the goodbye fits before the limit.
        this.voice?.stopSpeaking();
        this.events.push({ type: "deadline" });
      },
      Math.max(0, limitMs - reserve),
    );
    const onAbort = () => {
      this.voice?.stopSpeaking();
      this.events.push({ type: "closed", reason: "ended" });
    };
    this.call.signal.addEventListener("abort", onAbort, { once: true });
    return [
      () => clearInterval(tick),
      () => clearTimeout(deadline),
      () => this.call.signal.removeEventListener("abort", onAbort),
    ];
  }

  private async handle(event: AgentEvent): Promise<void> {
    if (this.mode === "done" && event.type !== "closed") return;
    switch (event.type) {
      case "closed":
        // A connected handoff takes the agent's media away while the call goes on; its result follows.
        if (this.mode === "handoff" && event.reason === "hangup" && !this.call.signal.aborted) return;
        this.endReason =
          event.reason === "hangup"
            ? "the other party hung up"
            : event.reason === "dropped"
              ? "the media connection dropped"
              : "the call ended";
        if (event.reason === "hangup") this.end ??= { cause: "callee_hung_up" };
        this.mode = "done";
        return;
      case "deadline":
        return this.goodbye(this.deadlineEnd!, GOODBYES.limit);
      case "stt_error":
        this.report(sttFailureOf(event.error, this.providerNames));
        return this.goodbye(failed("speech recognition failed", "stt_error"), GOODBYES.trouble);
      case "speech_start":
        // The callee spoke first: let them finish before the opening line.
        if (this.mode === "listening") {
          this.openingAfterHeardMs = this.settings.firstTurnMaxWaitMs;
        }
        return;
      case "tone":
        if (this.mode === "voicemail") return this.onBeep();
        return;
      case "machine":
        if (this.mayBeVoicemail()) return this.enterVoicemail("answering machine detected", false);
        return;
      case "music":
        if (this.mode === "conversation" || this.mode === "listening" || this.mode === "menu")
          this.enterHold("hold music");
        return;
      case "turn":
        return this.onTurn(event.turn);
      case "handoff":
        return this.onHandoffResult(event.result);
      case "tick":
        this.tickPending = false;
        return this.onTick();
    }
  }

  private async onTurn(turn: UserTurn): Promise<void> {
    const text = turn.text;
    switch (this.mode) {
      case "listening":
        this.history.user(text);
        return this.answeredBy(turn);
      case "menu":
        this.history.user(text);
        if (whatAnswered(text) === "person" && MENU_FEEDBACK.test(text)) return this.respond(turn);
        return this.answeredBy(turn);
      case "voicemail":
        this.history.user(text, { toModel: false });
        this.greetingHeard = true;
        // The greeting's words came after its beep: now the message can start.
        if (this.beepHeardAtMs !== null) return this.leaveVoicemail("the beep was heard");
        if (isVoicemailGreeting(text)) this.voicemailConfirmed = true;
        else if (!this.voicemailConfirmed && text.split(/\s+/).length <= 4) {
          // Machine detection guesses wrong at times: a short "Hello?" is a person, not a greeting.
          this.history.system("A person answered after all.");
          return this.speakOpening(turn);
        }
        // Otherwise the greeting goes on; the beep (or the quiet after it) is what matters.
        return;
      case "hold": {
        this.history.user(text);
        const after = whatAnswered(text);
        if (after === "hold") return;
        if (after === "person" || after === "screener")
          this.history.system("A person is on the line; the hold is over.");
        // Whatever took the call off hold is judged afresh: a person, a menu, a voicemail.
        this.mode = this.openingSpoken ? "conversation" : "listening";
        return this.openingSpoken && after !== "voicemail" ? this.respond(turn) : this.answeredBy(turn);
      }
      case "conversation":
        this.history.user(text);
        if (turn.duringReply && this.backchannel.isBackchannel(text)) return;
        if (this.modelCalls === 0 && isVoicemailGreeting(text))
          return this.enterVoicemail("voicemail greeting", true);
        if (isHoldAnnouncement(text)) {
          this.enterHold("asked to hold");
          // A person asking whether we can hold expects an answer; a queue announcement does not.
          if (/\?\s*$/.test(text)) await this.sayLine("Sure, I'll hold.");
          return;
        }
        return this.respond(turn);
      case "handoff":
        // The model hears it with the handoff's result; meanwhile the agent only keeps the line.
        this.history.user(text, { toModel: false });
        this.handoff?.heard(text);
        if (asksForAgent(text)) await this.sayLine(HANDOFF_LINES.stillHere);
        return;
      case "done":
        return;
    }
  }

  private async onTick(): Promise<void> {
    const voice = this.voice!;
    const now = this.now();
    if (this.mode === "listening") {
      // Waits are counted in audio heard, so a stalled process does not make the agent talk over a
      // greeting that was late to arrive; a line that sends no audio at all gets the wall clock's word.
      const due =
        voice.heardMs >= this.openingAfterHeardMs ||
        now - this.startedAt >= this.openingAfterHeardMs + NO_AUDIO_GRACE_MS;
      if (due && !voice.calleeSpeaking) return this.speakOpening();
      return;
    }
    if (this.mode === "hold") {
      if (now - this.holdStartedAt >= this.settings.holdBudgetMs) {
        const reason = `gave up waiting on hold after ${Math.round((now - this.holdStartedAt) / 1000)} seconds`;
        return this.goodbye({ reason, end: { cause: "agent_ended", message: reason } }, GOODBYES.hold);
      }
      return;
    }
    if (this.mode === "voicemail") {
      if (this.beepHeardAtMs !== null) {
        if (!voice.wordsPending || voice.heardMs - this.beepHeardAtMs >= GREETING_AFTER_BEEP_MS)
          return this.leaveVoicemail("the beep was heard");
        return;
      }
      const quiet = !voice.calleeSpeaking && now - voice.lastActivity >= this.settings.voicemailQuietMs;
      if (quiet || now - this.voicemailAt >= this.settings.beepWaitMs) {
        return this.leaveVoicemail("no beep was heard");
      }
      return;
    }
    if (this.mode === "handoff") {
      const quiet = !voice.speaking && !voice.calleeSpeaking;
      if (quiet && now - voice.lastActivity >= this.settings.handoffCheckInMs) {
        await this.sayLine(HANDOFF_LINES.checkIn);
      }
      return;
    }
    if ((this.mode === "conversation" || this.mode === "menu") && !voice.speaking && !voice.calleeSpeaking) {
      if (now - voice.lastActivity >= this.settings.silentLineMs) {
        return this.goodbye(
          { reason: "the line was silent", end: { cause: "silent_line" } },
          GOODBYES.silent,
        );
      }
    }
  }

  /**
   * Acts on what answered, judged from its first words: the opening for a person or a screener, keys
   * for a menu (through the model, with no opening spoken over the prompt), the beep for voicemail,
   * silence for a hold queue.
   */
  private async answeredBy(turn: UserTurn): Promise<void> {
    switch (whatAnswered(turn.text)) {
      case "voicemail":
        return this.enterVoicemail("voicemail greeting", true);
      case "hold":
        return this.enterHold("hold announcement");
      case "menu":
        if (this.mode !== "menu")
          this.history.system("A phone menu answered; the agent answers it with keys.");
        this.mode = "menu";
        return this.respond(turn);
      default:
        return this.openingSpoken ? this.respond(turn) : this.speakOpening(turn);
    }
  }

  private async speakOpening(turn?: UserTurn): Promise<void> {
    this.mode = "conversation";
    this.openingSpoken = true;
    const { facts, speech } = this.openingPlan.take();
    this.opening = facts;
    // Models expect the conversation to open with the other side.
    if (this.history.messages.length === 0) this.history.userToModel("(The call was answered.)");
    const result = await this.voice!.speak(speech, { replyTo: turn, signal: this.call.signal });
    this.history.assistant(result.text);
  }

  /** The beep: the message starts, once the greeting's own words (if still being recognised) are in. */
  private async onBeep(): Promise<void> {
    if (this.beepHeardAtMs !== null) return;
    // The beep itself sounds like speech to the recogniser; only a greeting not yet in words is waited for.
    if (this.greetingHeard || !this.voice!.wordsPending) return this.leaveVoicemail("the beep was heard");
    this.beepHeardAtMs = this.voice!.heardMs;
    this.voice!.flushRecognition();
  }

  private enterHold(why: string): void {
    if (this.mode === "hold") return;
    this.mode = "hold";
    this.holdStartedAt = this.now();
    this.voice?.stopSpeaking();
    this.history.system(`On hold (${why}); the agent waits silently.`);
  }

  private async enterVoicemail(why: string, byGreeting: boolean): Promise<void> {
    this.mode = "voicemail";
    this.greetingHeard = byGreeting;
    this.voicemailConfirmed = byGreeting;
    this.voicemailAt = this.now();
    this.voice?.stopSpeaking();
    this.history.system(`Voicemail detected (${why}).`);
    if (this.now() - this.lastToneAt <= RECENT_TONE_MS) await this.onBeep();
  }

  private async leaveVoicemail(why: string): Promise<void> {
    this.mode = "done";
    this.opening ??= this.openingPlan.take().facts;
    const intro = this.opening.line;
    this.history.system(`Leaving a voicemail message (${why}).`);
    this.history.instruct(voicemailInstructions(intro));
    if (this.history.messages.at(-1)?.role !== "user") this.history.userToModel("(Voicemail is recording.)");
    const result = await this.model({ interruptible: false, prefix: intro });
    if (this.endReason !== null) return;
    if (result.error) {
      const { kind } = failureOf(result.error, this.providerNames, true);
      return this.finishAs(failed(`${failureReason(result.error)} while leaving a voicemail`, kind));
    }
    const left = result.text.trim().length > 0;
    // A message that was spoken is what the call achieved, whatever the agent said when it hung up.
    if (left) this.end ??= { cause: "voicemail_left" };
    await runTools(result.toolCalls, result.text, this.toolContext());
    if (this.endReason !== null) return;
    const reason = left
      ? "left a voicemail message"
      : "reached voicemail and hung up without leaving a message";
    await this.finishAs({
      reason,
      end: left ? { cause: "voicemail_left" } : { cause: "agent_ended", message: reason },
    });
  }

  /** Rings the user while the agent keeps the other party company; the result arrives as an event. */
  private startHandoff(toolCall: LlmToolCall): void {
    this.mode = "handoff";
    this.handoff = new PendingHandoff(toolCall);
    void this.call
      .bridge()
      .catch((error: unknown) => ({
        ok: false as const,
        reason: "failed" as const,
        message: error instanceof Error ? error.message : String(error),
      }))
      .then((result) => this.events.push({ type: "handoff", result }));
  }

  private async onHandoffResult(result: BridgeResult): Promise<void> {
    const handoff = this.handoff;
    if (this.mode !== "handoff" || handoff === null) return;
    this.handoff = null;
    handoff.settle(this.history, result);
    if (result.ok) return this.finish("connected the user (live handoff)", false);
    this.mode = "conversation";
    // The other party learns at once; then the model carries on or ends the call as the task says.
    await this.sayLine(notConnectedLine(result));
    if (this.endReason === null) await this.respond();
  }

  private async respond(turn?: UserTurn): Promise<void> {
    let replyTo: UserTurn | undefined = turn;
    for (let i = 0; i < this.settings.maxModelCallsPerTurn; i++) {
      const result = await this.model({ replyTo });
      if (this.endReason !== null || this.mode === "done") return;
      if (result.error) {
        const { kind } = failureOf(result.error, this.providerNames, true);
        return this.goodbye(failed(failureReason(result.error), kind), GOODBYES.trouble);
      }
      if (result.interrupted) return;
      const outcome = await runTools(result.toolCalls, result.text, this.toolContext());
      if (outcome !== "continue") return;
      replyTo = undefined;
    }
  }

  /** One model call spoken as it streams, recorded in the transcript and the history. */
  private async model(o: { replyTo?: UserTurn; interruptible?: boolean; prefix?: string }) {
    this.modelCalls++;
    const result = await runModelTurn({
      llm: this.llm,
      speaker: this.voice!,
      messages: [this.instructions(), ...this.history.messages],
      tools: this.tools,
      temperature: this.settings.temperature,
      maxTokens: this.settings.maxTokens,
      prefix: o.prefix,
      speak: { replyTo: o.replyTo, interruptible: o.interruptible ?? true, signal: this.call.signal },
      deadlines: {
        holdingPhraseMs: this.settings.firstTokenDeadlineMs,
        holdingPhrase: this.settings.holdingPhrase,
        attemptTimeoutMs: this.settings.replyTimeoutMs,
        attempts: this.settings.modelAttempts,
      },
      wait: this.replyWait,
      onRetry: (error) => this.report(failureOf(error, this.providerNames, false)),
    });
    if (result.error) this.report(failureOf(result.error, this.providerNames, true));
    this.history.assistant(result.text, result.toolCalls);
    return result;
  }

  /** Built for each model call: what the opening is (or will be) changes as the call goes on. */
  private instructions(): LlmMessage {
    const opening = this.opening ?? this.openingPlan.ready;
    return {
      role: "system",
      content: buildInstructions(this.call.request, {
        opening,
        openingSpoken: this.openingSpoken,
        canConnect: this.canConnect,
      }),
    };
  }

  private toolContext(): ToolContext {
    return {
      call: this.call,
      history: this.history,
      say: (text) => this.sayLine(text, false),
      enterHold: (why) => this.enterHold(why),
      startHandoff: (call) => this.startHandoff(call),
      finish: (reason, hangUp, end) => this.finish(reason, hangUp, end),
      reportMalformed: () =>
        this.report({
          stage: "llm",
          provider: this.providerNames.llm,
          kind: "malformed_tool_call",
          fatal: false,
        }),
    };
  }

  private async sayLine(text: SpeechSource, interruptible = true): Promise<void> {
    if (this.lineGone) return;
    const result = await this.voice!.speak(text, { interruptible, signal: this.call.signal });
    this.history.assistant(result.text);
  }

  /** A short goodbye that is heard whole, then hang up. */
  private async goodbye(ending: AgentEnd, line: string): Promise<void> {
    this.mode = "done";
    this.voice?.stopSpeaking();
    if (!this.call.signal.aborted) await this.sayLine(line, false);
    await this.finishAs(ending);
  }

  private finishAs(ending: AgentEnd): Promise<void> {
    return this.finish(ending.reason, true, ending.end);
  }

  /** The first end decided is the one recorded; `end` defaults to the agent ending the call. */
  private async finish(reason: string, hangUp: boolean, end?: ConversationEnd): Promise<void> {
    this.mode = "done";
    this.endReason ??= reason;
    this.end ??= end ?? { cause: "agent_ended", message: reason };
    if (hangUp && !this.call.signal.aborted) await this.call.hangup(this.end).catch(() => {});
  }
}

/** The agent failed: the call ends politely and is reported as the service's failure, not charged. */
function failed(reason: string, kind: AgentFailureKind): AgentEnd {
  const message = `The voice agent failed during the call: ${reason} (${kind}), so it ended the call.`;
  return { reason, end: { cause: "agent_failed", message } };
}
