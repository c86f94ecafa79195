// Room agent/: what the voice agent says and does: instructions, tools, hold, voicemail and menu policy.
import type { AnsweredCall, ConversationEnd } from "../calls/conversation.ts";
import { collectNurseryWhileIdle } from "../observability/nursery.ts";
import { AsyncQueue } from "../providers/async-queue.ts";
import type { LLM, LlmMessage, LlmToolCall } from "../providers/llm/llm.ts";
import type { BridgeResult } from "../telephony/carrier.ts";
import { BargeInPolicy } from "../voice/barge-in.ts";
import type { SpeechSource } from "../voice/reply-pipeline.ts";
import type { UserTurn, VoiceSessionHandlers } from "../voice/session-types.ts";
import { failureOf, type ProviderNames, type ReportFailure, sttFailureOf } from "./agent-failure.ts";
import { AgentModel, type ModelCallOptions } from "./agent-model.ts";
import type { AgentEvent, AgentHooks, AgentMode, AgentVoice } from "./agent-voice.ts";
import { type AgentEnd, CallEnd, failed } from "./call-end.ts";
import { callLimit, lineSilent, SILENT_LINE, startCallTimers } from "./call-timers.ts";
import { notConnectedLine } from "./handoff.ts";
import { HandoffMode } from "./handoff-mode.ts";
import { HoldQueue } from "./hold.ts";
import { buildInstructions } from "./instructions.ts";
import { isMenuFeedback, OpeningWait } from "./listening.ts";
import { failureReason, type ModelTurnResult } from "./model-turn.ts";
import type { OpeningFacts } from "./opening-line.ts";
import type { OpeningPlan } from "./opening-plan.ts";
import { conversationTurn, GOODBYES, whatAnswered } from "./phrases.ts";
import type { VoiceAgentSettings } from "./settings.ts";
import { runTools, type ToolContext } from "./tools.ts";
import { CallHistory } from "./transcript-history.ts";
import { leaveMessage, VoicemailPolicy } from "./voicemail.ts";

/**
 * Holds one answered call: speaks the opening line, answers the callee through the model, runs its
 * tools, and handles hold queues, voicemail and the limits that end a call. Knows nothing about audio.
 * It owns the event loop and the mode; each mode's waits and decisions live beside it (listening.ts,
 * hold.ts, voicemail.ts, handoff-mode.ts), model calls in agent-model.ts, how the call ends in call-end.ts.
 */
export class CallAgent {
  private readonly events = new AsyncQueue<AgentEvent>();
  private readonly history: CallHistory;
  private readonly canConnect: boolean;
  private readonly backchannel: BargeInPolicy;
  private readonly now: () => number;
  private voice: AgentVoice | null = null;
  private mode: AgentMode = "listening";
  private readonly ending: CallEnd;
  private readonly report: ReportFailure;
  private readonly providerNames: ProviderNames;
  private readonly agentModel: AgentModel;
  private readonly openingWait = new OpeningWait();
  private readonly hold: HoldQueue;
  private readonly voicemail: VoicemailPolicy;
  private readonly handoff: HandoffMode;
  private tickPending = false;
  /** An event is being handled (a reply prepared now could be overtaken by what it does). */
  private busy = false;
  private openingSpoken = false;
  /** The opening spoken (or chosen for the voicemail message); null before. */
  private opening: OpeningFacts | null = null;
  private deadlineEnd: AgentEnd | null = null;
  /** The agent's media left the line (a handoff joined the user in its place): nothing more may be said. */
  private lineGone = false;
  /** Model calls made so far (for tests and the call record). */
  modelCalls = 0;

  constructor(
    private readonly call: AnsweredCall,
    llm: LLM,
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
    this.agentModel = new AgentModel(
      llm,
      this.canConnect,
      settings,
      this.history,
      call.signal,
      (error, fatal) => this.report(failureOf(error, this.providerNames, fatal)),
    );
    this.backchannel = new BargeInPolicy(settings.voice.bargeIn);
    this.ending = new CallEnd(call, {
      stopSpeaking: () => this.voice?.stopSpeaking(),
      say: (line) => this.sayLine(line, false),
      onEnd: () => {
        this.mode = "done";
      },
    });
    this.hold = new HoldQueue(this.history, this.now, settings.holdBudgetMs);
    this.voicemail = new VoicemailPolicy(this.history, this.now, settings);
    this.handoff = new HandoffMode(
      call,
      this.history,
      (line) => this.sayLine(line),
      settings.handoffCheckInMs,
    );
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
    this.voicemail.heardTone();
    this.events.push({ type: "tone" });
  }

  /** Nothing has been exchanged yet, so a late machine verdict can still be believed. */
  private mayBeVoicemail(): boolean {
    return this.mode === "listening" || (this.mode === "conversation" && this.modelCalls === 0);
  }

  /** Handlers for the voice session; pass them when creating it. */
  readonly handlers: VoiceSessionHandlers = {
    onUserTurn: (turn) => this.events.push({ type: "turn", turn }),
    onTurnPreview: (text) => this.preview(text),
    onSpeechStart: () => {
      // The reply comes once they stop: its connection and its heap room are readied while they talk.
      this.agentModel.warmConnection();
      collectNurseryWhileIdle();
      this.events.push({ type: "speech_start" });
    },
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
    this.openingWait.start(this.now());
    const stopTimers = this.startTimers();
    try {
      if (this.call.signal.aborted) return { endReason: "the call ended before the agent started" };
      this.openingPlan.answered();
      if (this.call.answeredBy === "machine") await this.enterVoicemail("answering machine detected", false);
      else this.openingWait.waitFor(this.settings.openingWaitMs);
      for await (const event of this.events) {
        this.busy = true;
        await this.handle(event);
        this.busy = false;
        if (this.ending.decided) break;
      }
      return this.ending.result();
    } finally {
      this.agentModel.dropPrepared();
      stopTimers();
      this.openingPlan.cancel();
      this.mode = "done";
    }
  }

  private startTimers(): () => void {
    const limit = callLimit(this.call.maxTalkSeconds, this.settings);
    this.deadlineEnd = limit.end;
    return startCallTimers(
      this.call.signal,
      { tickMs: this.settings.tickMs, goodbyeAtMs: limit.goodbyeAtMs },
      {
        tick: () => {
          if (this.tickPending) return;
          this.tickPending = true;
          this.events.push({ type: "tick" });
        },
        deadline: () => {
          // Cut any reply short so the goodbye fits before the limit.
          this.voice?.stopSpeaking();
          this.events.push({ type: "deadline" });
        },
        aborted: () => {
          this.voice?.stopSpeaking();
          this.events.push({ type: "closed", reason: "ended" });
        },
      },
    );
  }

  private async handle(event: AgentEvent): Promise<void> {
    if (this.mode === "done" && event.type !== "closed") return;
    switch (event.type) {
      case "closed":
        // A connected handoff takes the agent's media away while the call goes on; its result follows.
        if (this.mode === "handoff" && event.reason === "hangup" && !this.call.signal.aborted) return;
        return this.ending.closed(event.reason);
      case "deadline":
        return this.ending.goodbye(this.deadlineEnd!, GOODBYES.limit);
      case "stt_error":
        this.report(sttFailureOf(event.error, this.providerNames));
        return this.ending.goodbye(failed("speech recognition failed", "stt_error"), GOODBYES.trouble);
      case "speech_start":
        // The callee spoke first: let them finish before the opening line.
        if (this.mode === "listening") this.openingWait.waitFor(this.settings.firstTurnMaxWaitMs);
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
        if (isMenuFeedback(text)) return this.respond(turn);
        return this.answeredBy(turn);
      case "voicemail":
        switch (this.voicemail.heard(text)) {
          case "leave":
            return this.leaveVoicemail("the beep was heard");
          case "person":
            return this.speakOpening(turn);
          default:
            return;
        }
      case "hold": {
        const after = this.hold.heard(text);
        if (after === "hold") return;
        // Whatever took the call off hold is judged afresh: a person, a menu, a voicemail.
        this.mode = this.openingSpoken ? "conversation" : "listening";
        return this.openingSpoken && after !== "voicemail" ? this.respond(turn) : this.answeredBy(turn);
      }
      case "conversation":
        this.history.user(text);
        if (turn.duringReply && this.backchannel.isBackchannel(text)) return;
        switch (conversationTurn(text, this.modelCalls === 0)) {
          case "voicemail":
            return this.enterVoicemail("voicemail greeting", true);
          case "hold":
            this.enterHold("asked to hold");
            // A person asking whether we can hold expects an answer; a queue announcement does not.
            if (/\?\s*$/.test(text)) await this.sayLine("Sure, I'll hold.");
            return;
          case "model":
            return this.respond(turn);
        }
        return;
      case "handoff":
        return this.handoff.heard(text);
      case "done":
        return;
    }
  }

  /**
   * The callee went quiet in conversation: the model is asked now for the reply the turn would get, so
   * the recogniser's final wait is not also the model's. Only when nothing else is going on and the words
   * would be answered by the model; the turn takes the reply up only if its words are the same.
   */
  private preview(text: string | null): void {
    if (text === null) {
      this.agentModel.previewWithdrawn();
      return;
    }
    const quiet = !this.busy && this.voice !== null && !this.voice.speaking && !this.lineGone;
    if (this.mode !== "conversation" || !quiet || this.ending.decided) return;
    if (conversationTurn(text, this.modelCalls === 0) !== "model") return;
    this.agentModel.prepare(this.instructions(), text);
  }

  private async onTick(): Promise<void> {
    const voice = this.voice!;
    const now = this.now();
    switch (this.mode) {
      case "listening":
        if (this.openingWait.due(voice, now)) return this.speakOpening();
        return;
      case "hold": {
        const gaveUp = this.hold.givenUp(now);
        if (gaveUp) return this.ending.goodbye(gaveUp, GOODBYES.hold);
        return;
      }
      case "voicemail": {
        const why = this.voicemail.due(voice, now);
        if (why !== null) return this.leaveVoicemail(why);
        return;
      }
      case "handoff":
        return this.handoff.tick(voice, now);
      case "conversation":
      case "menu":
        if (lineSilent(voice, now, this.settings.silentLineMs))
          return this.ending.goodbye(SILENT_LINE, GOODBYES.silent);
        return;
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

  private enterHold(why: string): void {
    if (this.mode === "hold") return;
    this.mode = "hold";
    this.hold.enter(why, this.voice);
  }

  private async enterVoicemail(why: string, byGreeting: boolean): Promise<void> {
    this.mode = "voicemail";
    if (this.voicemail.enter(why, byGreeting, this.voice)) await this.onBeep();
  }

  private async onBeep(): Promise<void> {
    if (this.voicemail.beep(this.voice!)) return this.leaveVoicemail("the beep was heard");
  }

  private async leaveVoicemail(why: string): Promise<void> {
    this.mode = "done";
    this.opening ??= this.openingPlan.take().facts;
    return leaveMessage(
      {
        history: this.history,
        ending: this.ending,
        providerNames: this.providerNames,
        speak: (prefix) => this.model({ interruptible: false, prefix }),
        runTools: (reply) => runTools(reply.toolCalls, reply.text, this.toolContext()),
      },
      this.opening.line,
      why,
    );
  }

  /** Rings the user while the agent keeps the other party company; the result arrives as an event. */
  private startHandoff(toolCall: LlmToolCall): void {
    this.mode = "handoff";
    this.handoff.start(toolCall, (result) => this.events.push({ type: "handoff", result }));
  }

  private async onHandoffResult(result: BridgeResult): Promise<void> {
    if (this.mode !== "handoff" || !this.handoff.settle(result)) return;
    if (result.ok) return this.ending.finish("connected the user (live handoff)", false);
    this.mode = "conversation";
    // The other party learns at once; then the model carries on or ends the call as the task says.
    await this.sayLine(notConnectedLine(result));
    // The model is asked to go on from the other party's side: a conversation ending on the agent's own
    // line would read to some models as a reply to continue rather than one to answer.
    this.history.userToModel("(The other party heard that the user could not be connected.)");
    if (!this.ending.decided) await this.respond();
  }

  private async respond(turn?: UserTurn): Promise<void> {
    let replyTo: UserTurn | undefined = turn;
    for (let i = 0; i < this.settings.maxModelCallsPerTurn; i++) {
      const result = await this.model({ replyTo });
      if (this.ending.decided || this.mode === "done") return;
      if (result.error) {
        const { kind } = failureOf(result.error, this.providerNames, true);
        return this.ending.goodbye(failed(failureReason(result.error), kind), GOODBYES.trouble);
      }
      if (result.interrupted) return;
      const outcome = await runTools(result.toolCalls, result.text, this.toolContext());
      if (outcome !== "continue") return;
      replyTo = undefined;
    }
  }

  /** One model call spoken as it streams, recorded in the transcript and the history. */
  private model(o: ModelCallOptions): Promise<ModelTurnResult> {
    this.modelCalls++;
    return this.agentModel.speak(this.voice!, this.instructions(), o);
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
      finish: (reason, hangUp, end) => this.ending.finish(reason, hangUp, end),
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
}
