import type { AnsweredCall, ConversationEnd } from "../calls/conversation.ts";
import type { LlmTool, LlmToolCall } from "../providers/llm/llm.ts";
import { connectUser } from "./handoff.ts";
import type { CallHistory } from "./transcript-history.ts";

/** What the tools may do to the call in progress. */
export interface ToolContext {
  call: AnsweredCall;
  history: CallHistory;
  /** Speaks a fixed line (used when the model did not announce the handoff itself). */
  say(text: string): Promise<void>;
  enterHold(why: string): void;
  /**
   * Ends the conversation; `hangUp` false when the agent leaves a bridged call instead. `end` is how the
   * call record names the end (the agent ending it, when not given).
   */
  finish(reason: string, hangUp: boolean, end?: ConversationEnd): Promise<void>;
  /** Counts a tool call whose arguments the model sent malformed (no content is reported). */
  reportMalformed(): void;
  /** Starts ringing the user for a handoff; the agent holds the line until the result (see handoff.ts). */
  startHandoff(call: LlmToolCall): void;
}

/** After the tools ran: ask the model again (a result it must act on), wait for the callee, or stop. */
export type ToolOutcome = "continue" | "wait" | "end";

/** One tool: what the model is told about it and what calling it does. */
export interface AgentTool extends LlmTool {
  /** Whether this call offers the tool at all (connect_user needs a bridge number). */
  offered?(canConnect: boolean): boolean;
  /**
   * Runs one call of the tool and records its result in the history. `later` are the calls the model
   * asked for after this one in the same reply.
   */
  run(
    call: LlmToolCall,
    args: Record<string, unknown>,
    ctx: ToolContext,
    spokenWithCalls: string,
    later: readonly LlmToolCall[],
  ): Promise<ToolOutcome>;
}

const NO_ARGUMENTS = { type: "object", properties: {}, additionalProperties: false };

const stripPunctuation = (s: string) => s.replace(/[.\s]+$/, "");

const endCall: AgentTool = {
  name: "end_call",
  description:
    "Hang up. Call this after saying goodbye, once the task is done or cannot go further. The goodbye you say in the same reply is played before hanging up.",
  parameters: {
    type: "object",
    properties: { reason: { type: "string", description: "Why the call is ending, in a few words." } },
    required: ["reason"],
    additionalProperties: false,
  },
  async run(call, args, ctx, _spoken, later) {
    const reason = typeof args.reason === "string" && args.reason.trim() ? args.reason.trim() : "done";
    ctx.history.tool(call.name, `Ended the call: ${reason}`, { reason });
    ctx.history.toolResult(call, { ok: true });
    // Every later call still needs a result for the history to stay well formed.
    for (const rest of later) ctx.history.toolFailed(rest, "the call had ended");
    await ctx.finish(`agent ended the call: ${stripPunctuation(reason)}`, true, {
      cause: "agent_ended",
      message: reason,
    });
    return "end";
  },
};

const pressDigits: AgentTool = {
  name: "press_digits",
  description:
    "Press keypad keys, only when a phone menu or a person asks for them. Digits 0-9, * and #; 'w' is a half-second pause.",
  parameters: {
    type: "object",
    properties: { digits: { type: "string", description: "The keys to press, e.g. '1' or '1234#'." } },
    required: ["digits"],
    additionalProperties: false,
  },
  async run(call, args, ctx) {
    const digits = cleanDigits(args.digits);
    if (digits.replace(/w/g, "") === "") {
      ctx.history.toolFailed(call, "no keypad digits given");
      return "continue";
    }
    ctx.history.tool(call.name, `Pressed keypad digits ${digits}`, { digits });
    try {
      await ctx.call.sendDigits(digitsWithPauses(digits));
      ctx.history.toolResult(call, { ok: true, pressed: digits });
      return "wait";
    } catch (error) {
      ctx.history.toolFailed(call, error instanceof Error ? error.message : String(error));
      return "continue";
    }
  },
};

const waitOnHold: AgentTool = {
  name: "wait_on_hold",
  description:
    "You have been put on hold or in a queue. Stay silent until a person speaks to you again. Say nothing in the same reply.",
  parameters: NO_ARGUMENTS,
  async run(call, _args, ctx) {
    ctx.history.tool(call.name, "Waiting on hold", {});
    ctx.history.toolResult(call, { ok: true, waiting: true });
    ctx.enterHold("the agent was asked to hold");
    return "wait";
  },
};

/** In the order the model is told about them. */
const TOOLS: readonly AgentTool[] = [endCall, pressDigits, waitOnHold, connectUser];
const BY_NAME = new Map(TOOLS.map((t) => [t.name, t]));

/** The tools the model may call; connect_user only when the request gave a bridge number. */
export function agentTools(canConnect: boolean): LlmTool[] {
  return TOOLS.filter((t) => t.offered?.(canConnect) ?? true).map(({ name, description, parameters }) => ({
    name,
    description,
    parameters,
  }));
}

/** Runs the tool calls of one model reply in order; stops at the first that ends the conversation. */
export async function runTools(
  calls: readonly LlmToolCall[],
  spokenWithCalls: string,
  ctx: ToolContext,
): Promise<ToolOutcome> {
  let outcome: ToolOutcome = "wait";
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i]!;
    const tool = BY_NAME.get(call.name);
    if (!tool) {
      ctx.history.toolFailed(call, `there is no tool named ${call.name}`);
      outcome = "continue";
      continue;
    }
    const args = toolArguments(call);
    if (!args.ok) {
      // Told as it is, so the model sends the call again rather than reading a result for empty arguments.
      ctx.reportMalformed();
      ctx.history.toolFailed(
        call,
        `malformed arguments (${args.problem}); nothing was done: send the call again with a JSON object that matches the tool's parameters`,
      );
      outcome = "continue";
      continue;
    }
    const result = await tool.run(call, args.value, ctx, spokenWithCalls, calls.slice(i + 1));
    if (result === "end") return "end";
    if (result === "continue") outcome = "continue";
  }
  return outcome;
}

/** The tool's arguments as an object (none given is an empty one), or what is wrong with them. */
export function toolArguments(
  call: LlmToolCall,
): { ok: true; value: Record<string, unknown> } | { ok: false; problem: string } {
  if (call.arguments.trim() === "") return { ok: true, value: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.arguments);
  } catch {
    return { ok: false, problem: "not valid JSON" };
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? { ok: true, value: parsed as Record<string, unknown> }
    : { ok: false, problem: "not a JSON object" };
}

/** Keeps only keypad characters (and pauses). */
export function cleanDigits(value: unknown): string {
  return typeof value === "string" ? value.replace(/[^0-9*#wW]/g, "").replace(/W/g, "w") : "";
}

/**
 * Paces keypad presses the way a person would: a short pause first (the menu may still be speaking
 * its last word) and between keys, so menus that read keys one at a time do not miss any.
 */
export function digitsWithPauses(digits: string): string {
  const keys = digits.replace(/w/g, "");
  if (digits.includes("w") || keys.length <= 1) return digits.startsWith("w") ? digits : `w${digits}`;
  return `w${keys.split("").join("w")}`;
}
