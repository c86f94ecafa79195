import type { LlmToolCall } from "../providers/llm/llm.ts";
import type { BridgeResult } from "../telephony/carrier.ts";
import { normalizeWords } from "../voice/barge-in.ts";
import type { AgentTool } from "./tools.ts";
import type { CallHistory } from "./transcript-history.ts";

/** What the agent says around a handoff, when the model's own words do not cover it. */
export const HANDOFF_LINES = {
  announce: "One moment please, I'm connecting you now. Please hold.",
  /** Every few quiet seconds while the user's phone rings, so the other party never hears dead air. */
  checkIn: "Still connecting you, thank you for holding.",
  /** The other party asked something (often "are you still there?") while the phone rings. */
  stillHere: "Yes, I'm still here. I'm connecting you now, their phone is ringing.",
} as const;

/** Told to the other party the moment the user could not be connected, before the model decides what next. */
const NOT_CONNECTED: Record<Exclude<BridgeResult, { ok: true }>["reason"], string> = {
  no_answer: "I'm sorry, they didn't pick up.",
  busy: "I'm sorry, their line is busy.",
  rejected: "I'm sorry, they couldn't take the call right now.",
  failed: "I'm sorry, I couldn't get them on the line.",
};

export function notConnectedLine(result: Exclude<BridgeResult, { ok: true }>): string {
  return NOT_CONNECTED[result.reason];
}

/** True when the words spoken with the tool call already tell the other party about the handoff. */
export function announcesHandoff(spoken: string): boolean {
  return /connect|transfer|put you through|patch/i.test(spoken);
}

/** A question to the agent while the user's phone rings ("Hello? Are you still there?"). */
export function asksForAgent(text: string): boolean {
  return /\?\s*$/.test(text.trim()) || /\b(still there|you there|hello)\b/.test(normalizeWords(text));
}

/**
 * A handoff under way: the tool call the model made, and what the other party said while the user's
 * phone rang. Those words reach the model only after the tool's result, so its history stays well formed.
 */
export class PendingHandoff {
  private readonly heardMeanwhile: string[] = [];

  constructor(readonly toolCall: LlmToolCall) {}

  heard(text: string): void {
    this.heardMeanwhile.push(text);
  }

  /** Gives the model the bridge result, then what was said while it rang. */
  settle(history: CallHistory, result: BridgeResult): void {
    history.toolResult(
      this.toolCall,
      result.ok ? { ok: true } : { ok: false, reason: result.reason, message: result.message },
    );
    for (const text of this.heardMeanwhile) history.userToModel(text);
    if (result.ok) history.system("The user was connected; the agent left the call.");
    else history.system(`The handoff failed (${result.reason}): ${result.message}`);
  }
}

/**
 * connect_user: rings the user's number (the request's bridge_number) and joins them to the call. The
 * tool only starts the handoff; the agent stays on the line while it rings and hears the result as soon
 * as the carrier knows it.
 */
export const connectUser: AgentTool = {
  name: "connect_user",
  description:
    "Connect the user you are calling for into this call, when the task says to hand over (e.g. once a person is on the line). Tell the other party you are connecting them and ask them to hold, in the same reply. You stay on the line while the user's phone rings and leave once they are connected; if it fails you get the reason at once.",
  parameters: { type: "object", properties: {}, additionalProperties: false },
  offered: (canConnect) => canConnect,
  async run(call, _args, ctx, spokenWithCalls) {
    if (ctx.call.request.bridge_number === undefined) {
      ctx.history.toolResult(call, { ok: false, error: "no bridge number was given for this call" });
      return "continue";
    }
    if (!announcesHandoff(spokenWithCalls)) await ctx.say(HANDOFF_LINES.announce);
    ctx.history.tool(call.name, "Connecting the user", {});
    ctx.startHandoff(call);
    return "wait";
  },
};
