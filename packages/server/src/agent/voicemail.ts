import { failureOf, type ProviderNames } from "./agent-failure.ts";
import type { AgentVoice } from "./agent-voice.ts";
import { type CallEnd, failed } from "./call-end.ts";
import { voicemailInstructions } from "./instructions.ts";
import { failureReason, type ModelTurnResult } from "./model-turn.ts";
import { isVoicemailGreeting } from "./phrases.ts";
import type { VoiceAgentSettings } from "./settings.ts";
import type { CallHistory } from "./transcript-history.ts";

/** A beep this recent when voicemail is recognised was the greeting's own beep. */
const RECENT_TONE_MS = 2500;
/** After the beep, how much audio to hear while the recogniser finishes the greeting's words. */
const GREETING_AFTER_BEEP_MS = 1500;

/** What the voicemail policy reads of the line, and asks of it. */
export type VoicemailLine = Pick<
  AgentVoice,
  "calleeSpeaking" | "lastActivity" | "heardMs" | "wordsPending" | "flushRecognition" | "stopSpeaking"
>;

/**
 * When to leave the message once voicemail is detected: after the greeting's beep (once the greeting's
 * own words are in, so they are not taken for the start of the recording), or after the quiet that
 * follows a greeting with no beep. Also notices a person taken for a machine.
 */
export class VoicemailPolicy {
  private detectedAt = 0;
  private lastToneAt = Number.NEGATIVE_INFINITY;
  /** The voicemail's beep was heard while the greeting's words were still being recognised. */
  private beepHeardAtMs: number | null = null;
  /** Words of the voicemail's greeting have come in since voicemail was detected. */
  private greetingHeard = false;
  /** The voicemail was recognised by its greeting, not only by the carrier's machine detection. */
  private confirmed = false;

  constructor(
    private readonly history: CallHistory,
    private readonly now: () => number,
    private readonly settings: Pick<VoiceAgentSettings, "voicemailQuietMs" | "beepWaitMs">,
  ) {}

  /** A tone was heard, in whatever mode: voicemail recognised just after it still counts it as the beep. */
  heardTone(): void {
    this.lastToneAt = this.now();
  }

  /** Voicemail was detected; true when its beep was already heard (act on it as on a beep). */
  enter(why: string, byGreeting: boolean, line: VoicemailLine | null): boolean {
    this.greetingHeard = byGreeting;
    this.confirmed = byGreeting;
    this.detectedAt = this.now();
    line?.stopSpeaking();
    this.history.system(`Voicemail detected (${why}).`);
    return this.now() - this.lastToneAt <= RECENT_TONE_MS;
  }

  /** The beep: true when the message starts now; else it waits for the greeting's words to come in. */
  beep(line: VoicemailLine): boolean {
    if (this.beepHeardAtMs !== null) return false;
    // The beep itself sounds like speech to the recogniser; only a greeting not yet in words is waited for.
    if (this.greetingHeard || !line.wordsPending) return true;
    this.beepHeardAtMs = line.heardMs;
    line.flushRecognition();
    return false;
  }

  /**
   * Words heard during the greeting: "leave" when they came after its beep (the message can start),
   * "person" when a short "Hello?" shows a person answered after all.
   */
  heard(text: string): "leave" | "person" | "wait" {
    this.history.user(text, { toModel: false });
    this.greetingHeard = true;
    // The greeting's words came after its beep: now the message can start.
    if (this.beepHeardAtMs !== null) return "leave";
    if (isVoicemailGreeting(text)) this.confirmed = true;
    else if (!this.confirmed && text.split(/\s+/).length <= 4) {
      // Machine detection guesses wrong at times: a short "Hello?" is a person, not a greeting.
      this.history.system("A person answered after all.");
      return "person";
    }
    // Otherwise the greeting goes on; the beep (or the quiet after it) is what matters.
    return "wait";
  }

  /** Why the message starts now, or null to keep waiting. */
  due(line: VoicemailLine, now: number): string | null {
    if (this.beepHeardAtMs !== null) {
      if (!line.wordsPending || line.heardMs - this.beepHeardAtMs >= GREETING_AFTER_BEEP_MS)
        return "the beep was heard";
      return null;
    }
    const quiet = !line.calleeSpeaking && now - line.lastActivity >= this.settings.voicemailQuietMs;
    if (quiet || now - this.detectedAt >= this.settings.beepWaitMs) return "no beep was heard";
    return null;
  }
}

/** What leaving the message needs of the agent: the history, one model call, its tools, and the end. */
export interface VoicemailMessage {
  readonly history: CallHistory;
  readonly ending: CallEnd;
  readonly providerNames: ProviderNames;
  /** One model call spoken whole after `prefix`, recorded in the history. */
  speak(prefix: string): Promise<ModelTurnResult>;
  runTools(reply: ModelTurnResult): Promise<unknown>;
}

/** Leaves the message, opening with the intro the opening line would have used, then hangs up. */
export async function leaveMessage(agent: VoicemailMessage, intro: string, why: string): Promise<void> {
  const { history, ending } = agent;
  history.system(`Leaving a voicemail message (${why}).`);
  history.instruct(voicemailInstructions(intro));
  if (history.messages.at(-1)?.role !== "user") history.userToModel("(Voicemail is recording.)");
  const result = await agent.speak(intro);
  if (ending.decided) return;
  if (result.error) {
    const { kind } = failureOf(result.error, agent.providerNames, true);
    return ending.finishAs(failed(`${failureReason(result.error)} while leaving a voicemail`, kind));
  }
  const left = result.text.trim().length > 0;
  // A message that was spoken is what the call achieved, whatever the agent said when it hung up.
  if (left) ending.achieved({ cause: "voicemail_left" });
  await agent.runTools(result);
  if (ending.decided) return;
  const reason = left
    ? "left a voicemail message"
    : "reached voicemail and hung up without leaving a message";
  await ending.finishAs({
    reason,
    end: left ? { cause: "voicemail_left" } : { cause: "agent_ended", message: reason },
  });
}
