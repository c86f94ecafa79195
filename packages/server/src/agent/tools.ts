import type { LlmTool, LlmToolCall } from "../providers/llm/llm.ts";

export const TOOL_END_CALL = "end_call";
export const TOOL_PRESS_DIGITS = "press_digits";
export const TOOL_CONNECT_USER = "connect_user";
export const TOOL_WAIT_ON_HOLD = "wait_on_hold";

/** The tools the model may call; connect_user only when the request gave a bridge number. */
export function agentTools(canConnect: boolean): LlmTool[] {
  const tools: LlmTool[] = [
    {
      name: TOOL_END_CALL,
      description:
        "Hang up. Call this after saying goodbye, once the task is done or cannot go further. The goodbye you say in the same reply is played before hanging up.",
      parameters: {
        type: "object",
        properties: { reason: { type: "string", description: "Why the call is ending, in a few words." } },
        required: ["reason"],
        additionalProperties: false,
      },
    },
    {
      name: TOOL_PRESS_DIGITS,
      description:
        "Press keypad keys, only when a phone menu or a person asks for them. Digits 0-9, * and #; 'w' is a half-second pause.",
      parameters: {
        type: "object",
        properties: { digits: { type: "string", description: "The keys to press, e.g. '1' or '1234#'." } },
        required: ["digits"],
        additionalProperties: false,
      },
    },
    {
      name: TOOL_WAIT_ON_HOLD,
      description:
        "You have been put on hold or in a queue. Stay silent until a person speaks to you again. Say nothing in the same reply.",
      parameters: { type: "object", properties: {}, additionalProperties: false },
    },
  ];
  if (canConnect) {
    tools.push({
      name: TOOL_CONNECT_USER,
      description:
        "Connect the user you are calling for into this call, when the task says to hand over (e.g. once a person is on the line). Tell the other party you are connecting them in the same reply. You leave the call once connected; if it fails you get the reason.",
      parameters: { type: "object", properties: {}, additionalProperties: false },
    });
  }
  return tools;
}

/** The tool's arguments as an object; malformed JSON from a model becomes an empty object. */
export function toolArguments(call: LlmToolCall): Record<string, unknown> {
  if (call.arguments.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(call.arguments);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
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
