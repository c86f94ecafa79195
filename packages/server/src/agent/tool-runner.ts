import type { AnsweredCall } from "../calls/conversation.ts";
import type { LlmToolCall } from "../providers/llm/llm.ts";
import {
  cleanDigits,
  digitsWithPauses,
  TOOL_CONNECT_USER,
  TOOL_END_CALL,
  TOOL_PRESS_DIGITS,
  TOOL_WAIT_ON_HOLD,
  toolArguments,
} from "./tools.ts";
import type { CallHistory } from "./transcript-history.ts";

/** What the tools may do to the call in progress. */
export interface ToolContext {
  call: AnsweredCall;
  history: CallHistory;
  /** Speaks a fixed line (used when the model did not announce the handoff itself). */
  say(text: string): Promise<void>;
  enterHold(why: string): void;
  /** Ends the conversation; `hangUp` false when the agent leaves a bridged call instead. */
  finish(reason: string, hangUp: boolean): Promise<void>;
}

/** After the tools ran: ask the model again (a result it must act on), wait for the callee, or stop. */
export type ToolOutcome = "continue" | "wait" | "end";

const stripPunctuation = (s: string) => s.replace(/[.\s]+$/, "");

export async function runTools(
  calls: readonly LlmToolCall[],
  spokenWithCalls: string,
  ctx: ToolContext,
): Promise<ToolOutcome> {
  let outcome: ToolOutcome = "wait";
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i]!;
    const args = toolArguments(call);
    switch (call.name) {
      case TOOL_END_CALL: {
        const reason = typeof args.reason === "string" && args.reason.trim() ? args.reason.trim() : "done";
        ctx.history.tool(call.name, `Ended the call: ${reason}`, { reason });
        ctx.history.toolResult(call, { ok: true });
        // Every later call still needs a result for the history to stay well formed.
        for (const rest of calls.slice(i + 1))
          ctx.history.toolResult(rest, { ok: false, error: "call ended" });
        await ctx.finish(`agent ended the call: ${stripPunctuation(reason)}`, true);
        return "end";
      }
      case TOOL_PRESS_DIGITS: {
        const digits = cleanDigits(args.digits);
        if (digits.replace(/w/g, "") === "") {
          ctx.history.toolResult(call, { ok: false, error: "no keypad digits given" });
          outcome = "continue";
          break;
        }
        ctx.history.tool(call.name, `Pressed keypad digits ${digits}`, { digits });
        try {
          await ctx.call.sendDigits(digitsWithPauses(digits));
          ctx.history.toolResult(call, { ok: true, pressed: digits });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          ctx.history.system(`Sending keypad digits failed: ${message}`);
          ctx.history.toolResult(call, { ok: false, error: message });
          outcome = "continue";
        }
        break;
      }
      case TOOL_WAIT_ON_HOLD: {
        ctx.history.tool(call.name, "Waiting on hold", {});
        ctx.history.toolResult(call, { ok: true, waiting: true });
        ctx.enterHold("the agent was asked to hold");
        break;
      }
      case TOOL_CONNECT_USER: {
        if (ctx.call.request.bridge_number === undefined) {
          ctx.history.toolResult(call, { ok: false, error: "no bridge number was given for this call" });
          outcome = "continue";
          break;
        }
        if (!/connect|transfer|put you through|patch/i.test(spokenWithCalls)) {
          await ctx.say("One moment, I'm connecting you now.");
        }
        ctx.history.tool(call.name, "Connecting the user", {});
        const result = await ctx.call.bridge().catch((error: unknown) => ({
          ok: false as const,
          reason: "failed" as const,
          message: error instanceof Error ? error.message : String(error),
        }));
        if (result.ok) {
          ctx.history.toolResult(call, { ok: true });
          ctx.history.system("The user was connected; the agent left the call.");
          await ctx.finish("connected the user (live handoff)", false);
          return "end";
        }
        ctx.history.system(`The handoff failed (${result.reason}): ${result.message}`);
        ctx.history.toolResult(call, { ok: false, reason: result.reason, message: result.message });
        outcome = "continue";
        break;
      }
      default:
        ctx.history.toolResult(call, { ok: false, error: `unknown tool ${call.name}` });
        outcome = "continue";
    }
  }
  return outcome;
}
