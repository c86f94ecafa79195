import type { CallRequest } from "@clawcall/contract";

export interface CallerIdentity {
  /** The agent's name, when the personality gives one ("Alex, a friendly assistant …"). */
  name: string | null;
  /** Whose behalf the call is on, when the personality or task says ("on behalf of Jordan Lee"). */
  onBehalfOf: string | null;
}

const NAME_WORD = "[A-Z][\\p{L}'’.-]*";
const BEHALF = new RegExp(`\\bon behalf of (${NAME_WORD}(?:\\s+${NAME_WORD}){0,3})`, "u");
const LEADING_NAME = new RegExp(
  `^\\s*(?:I am |I'm |You are |Your name is |this is )?(${NAME_WORD})(?=[,\\s—–-])`,
  "iu",
);
const NOT_NAMES = new Set(["a", "an", "the", "you", "your", "i", "we", "friendly", "professional", "polite"]);

/** Reads who is calling and for whom from the request, as given; never invents either. */
export function callerIdentity(request: CallRequest): CallerIdentity {
  const personality = request.personality?.trim() ?? "";
  let name: string | null = null;
  const lead = LEADING_NAME.exec(personality)?.[1];
  if (lead !== undefined && /^[A-Z]/.test(lead) && !NOT_NAMES.has(lead.toLowerCase())) name = lead;
  const behalf = BEHALF.exec(personality)?.[1] ?? BEHALF.exec(request.task)?.[1] ?? null;
  return { name, onBehalfOf: behalf?.replace(/[.,;:]+$/, "") ?? null };
}

const mentionsAi = (t: string) =>
  /\b(AI|artificial intelligence|automated assistant|virtual assistant)\b/i.test(t);
const mentionsRecording = (t: string) => /\brecord(ed|ing)\b/i.test(t);

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * The first thing the callee hears, composed by the service so every call discloses what it is:
 * the greeting (or a default with who is calling and on whose behalf), that this is an AI assistant,
 * and that the call is recorded.
 */
export function composeOpeningLine(request: CallRequest): string {
  const { name, onBehalfOf } = callerIdentity(request);
  const parts: string[] = [];
  const greeting = request.greeting?.trim();
  if (greeting !== undefined && greeting.length > 0) {
    parts.push(sentence(greeting));
  } else {
    let intro = "Hello";
    if (name !== null) intro += `, this is ${name}`;
    if (onBehalfOf !== null) intro += `${name === null ? ", I'm" : ""} calling on behalf of ${onBehalfOf}`;
    parts.push(sentence(intro));
  }
  const said = parts.join(" ");
  if (!mentionsAi(said)) {
    parts.push(
      onBehalfOf !== null && !said.includes(onBehalfOf)
        ? `I'm an AI assistant calling on behalf of ${onBehalfOf}.`
        : "I'm an AI assistant.",
    );
  }
  if (!mentionsRecording(said)) parts.push("This call is recorded.");
  return parts.join(" ");
}
