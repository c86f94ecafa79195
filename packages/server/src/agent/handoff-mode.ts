import type { AnsweredCall } from "../calls/conversation.ts";
import type { LlmToolCall } from "../providers/llm/llm.ts";
import type { BridgeResult } from "../telephony/carrier.ts";
import type { AgentVoice } from "./agent-voice.ts";
import { asksForAgent, HANDOFF_LINES, PendingHandoff } from "./handoff.ts";
import type { CallHistory } from "./transcript-history.ts";

/** What the handoff mode reads of the line. */
export type HandoffLine = Pick<AgentVoice, "speaking" | "calleeSpeaking" | "lastActivity">;

/**
 * The agent's side of a handoff (see handoff.ts): while the user's phone rings it keeps the other party
 * company, answering "are you still there?" and checking in when the line goes quiet, and it hands the
 * bridge's result on as soon as the carrier knows it.
 */
export class HandoffMode {
  private pending: PendingHandoff | null = null;

  constructor(
    private readonly call: Pick<AnsweredCall, "bridge">,
    private readonly history: CallHistory,
    /** Speaks a fixed line (nothing once the agent's media has left the line). */
    private readonly say: (line: string) => Promise<void>,
    private readonly checkInMs: number,
  ) {}

  /** Rings the user; `settled` gets the result, a failure to ring included. */
  start(toolCall: LlmToolCall, settled: (result: BridgeResult) => void): void {
    this.pending = new PendingHandoff(toolCall);
    void this.call
      .bridge()
      .catch((error: unknown) => ({
        ok: false as const,
        reason: "failed" as const,
        message: error instanceof Error ? error.message : String(error),
      }))
      .then(settled);
  }

  async heard(text: string): Promise<void> {
    // The model hears it with the handoff's result; meanwhile the agent only keeps the line.
    this.history.user(text, { toModel: false });
    this.pending?.heard(text);
    if (asksForAgent(text)) await this.say(HANDOFF_LINES.stillHere);
  }

  async tick(line: HandoffLine, now: number): Promise<void> {
    const quiet = !line.speaking && !line.calleeSpeaking;
    if (quiet && now - line.lastActivity >= this.checkInMs) {
      await this.say(HANDOFF_LINES.checkIn);
    }
  }

  /** Gives the model the result; false when no handoff was waiting for one. */
  settle(result: BridgeResult): boolean {
    const pending = this.pending;
    if (pending === null) return false;
    this.pending = null;
    pending.settle(this.history, result);
    return true;
  }
}
