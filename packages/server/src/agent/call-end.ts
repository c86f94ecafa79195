import type { AnsweredCall, ConversationEnd } from "../calls/conversation.ts";
import type { MediaCloseReason } from "../media/media-stream.ts";
import type { AgentFailureKind } from "./agent-failure.ts";

/** The structured end of each way the agent ends a call, with the reason in words for the record. */
export interface AgentEnd {
  reason: string;
  end: ConversationEnd;
}

/** The agent failed: the call ends politely and is reported as the service's failure, not charged. */
export function failed(reason: string, kind: AgentFailureKind): AgentEnd {
  const message = `The voice agent failed during the call: ${reason} (${kind}), so it ended the call.`;
  return { reason, end: { cause: "agent_failed", message } };
}

/** What ending a call needs of the agent: quiet, a last line, and its mode set to done. */
export interface EndingLine {
  stopSpeaking(): void;
  /** Speaks a line heard whole. */
  say(line: string): Promise<void>;
  /** Called by every end before anything is said or hung up: nothing more is handled as if the call went on. */
  onEnd(): void;
}

/**
 * How the call ended, decided once: the first end decided is the one recorded, so a later hang-up or
 * failure cannot overwrite what the call achieved.
 */
export class CallEnd {
  /** The end in words, for the call record; null while the call goes on. */
  reason: string | null = null;
  private end: ConversationEnd | undefined;

  constructor(
    private readonly call: Pick<AnsweredCall, "signal" | "hangup">,
    private readonly line: EndingLine,
  ) {}

  get decided(): boolean {
    return this.reason !== null;
  }

  /** The line closed under the agent: the other party hung up, the media dropped or the call ended. */
  closed(reason: MediaCloseReason | "ended"): void {
    this.reason =
      reason === "hangup"
        ? "the other party hung up"
        : reason === "dropped"
          ? "the media connection dropped"
          : "the call ended";
    if (reason === "hangup") this.end ??= { cause: "callee_hung_up" };
    this.line.onEnd();
  }

  /** What the call achieved (a voicemail message spoken), kept whatever the agent says when it hangs up. */
  achieved(end: ConversationEnd): void {
    this.end ??= end;
  }

  /** A short goodbye that is heard whole, then hang up. */
  async goodbye(ending: AgentEnd, line: string): Promise<void> {
    this.line.onEnd();
    this.line.stopSpeaking();
    if (!this.call.signal.aborted) await this.line.say(line);
    await this.finishAs(ending);
  }

  finishAs(ending: AgentEnd): Promise<void> {
    return this.finish(ending.reason, true, ending.end);
  }

  /** `hangUp` false when the agent leaves a bridged call instead; `end` defaults to the agent ending it. */
  async finish(reason: string, hangUp: boolean, end?: ConversationEnd): Promise<void> {
    this.line.onEnd();
    this.reason ??= reason;
    this.end ??= end ?? { cause: "agent_ended", message: reason };
    if (hangUp && !this.call.signal.aborted) await this.call.hangup(this.end).catch(() => {});
  }

  /** What `CallAgent.run` resolves with. */
  result(): { endReason: string; end?: ConversationEnd } {
    return { endReason: this.reason ?? "the call ended", ...(this.end ? { end: this.end } : {}) };
  }
}
