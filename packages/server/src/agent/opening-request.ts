import type { CallRequest } from "@clawcall/contract";
import type { LLM, LlmTool, LlmToolCall } from "../providers/llm/llm.ts";
import { openingComposerInstructions } from "./instructions.ts";
import { type OpeningFacts, withDisclosure } from "./opening-line.ts";

/** The one tool of the opening request: its arguments are the structured answer the service reads. */
export const COMPOSE_OPENING_TOOL: LlmTool = {
  name: "compose_opening",
  description:
    "Give the opening line to speak when the call is answered, with the facts it states. Call it exactly once.",
  parameters: {
    type: "object",
    properties: {
      line: {
        type: "string",
        description:
          "What to say, one or two short sentences: who is calling, on whose behalf, why in one short clause, that you are an AI assistant and that the call is recorded.",
      },
      caller_name: { type: "string", description: "Your own name, only if the personality gives one." },
      on_behalf_of: {
        type: "string",
        description: "The person or business you call for, only if the task or personality names them.",
      },
      purpose: { type: "string", description: "Why you are calling, in one short clause." },
    },
    required: ["line", "purpose"],
    additionalProperties: false,
  },
};

const MAX_LINE_CHARS = 400;

/**
 * Asks the model for the opening line while the phone rings. Resolves with the line (disclosure
 * checked and added where missing) and the facts the model gave, or null when the model gave no
 * usable line; rejects when the model fails or the signal aborts.
 */
export async function composeOpening(
  llm: LLM,
  request: CallRequest,
  o: { signal: AbortSignal; temperature: number },
): Promise<OpeningFacts | null> {
  const calls: LlmToolCall[] = [];
  let text = "";
  for await (const chunk of llm.stream({
    messages: [
      { role: "system", content: openingComposerInstructions(request) },
      { role: "user", content: "The phone is ringing. Compose the opening line now." },
    ],
    tools: [COMPOSE_OPENING_TOOL],
    temperature: o.temperature,
    maxTokens: 300,
    signal: o.signal,
  })) {
    if (chunk.type === "tool_call") calls.push(chunk.call);
    else if (chunk.type === "text") text += chunk.text;
  }
  const call = calls.find((c) => c.name === COMPOSE_OPENING_TOOL.name);
  return call !== undefined ? openingFromArguments(call.arguments) : openingFromText(text);
}

/** The tool call's arguments read as facts; a line missing or of the wrong shape gives null. */
export function openingFromArguments(json: string): OpeningFacts | null {
  let args: unknown;
  try {
    args = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof args !== "object" || args === null) return null;
  const field = (name: string): string | null => {
    const v = (args as Record<string, unknown>)[name];
    return typeof v === "string" && v.trim().length > 0 ? v.trim() : null;
  };
  const line = field("line");
  if (line === null || line.length > MAX_LINE_CHARS) return null;
  return {
    line: withDisclosure(line),
    callerName: field("caller_name"),
    onBehalfOf: field("on_behalf_of"),
    purpose: field("purpose"),
    fromTemplate: false,
  };
}

/** A model that answered in words instead of the tool still gave a line. */
function openingFromText(text: string): OpeningFacts | null {
  const line = text.trim();
  if (line.length === 0 || line.length > MAX_LINE_CHARS) return null;
  return {
    line: withDisclosure(line),
    callerName: null,
    onBehalfOf: null,
    purpose: null,
    fromTemplate: false,
  };
}
