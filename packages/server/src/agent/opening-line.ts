import type { CallRequest } from "@clawcall/contract";

/**
 * What the opening says about the call, as the model composed it from the request. Each field is the
 * model's own structured answer; the service never cuts names out of the task's free text.
 */
export interface OpeningFacts {
  /** The line to speak when a person or a screener answers. */
  line: string;
  /** The agent's own name, when the personality gives one. */
  callerName: string | null;
  /** Whose behalf the call is on. */
  onBehalfOf: string | null;
  /** Why the call is made, in one short clause. */
  purpose: string | null;
  /** The line came from the template, not from the model. */
  fromTemplate: boolean;
}

const mentionsAi = (t: string) =>
  /\b(AI|A\.I\.|artificial intelligence|automated assistant|virtual assistant)\b/i.test(t);
const mentionsRecording = (t: string) => /\brecord(ed|ing)\b/i.test(t);

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * Every call says what it is: adds "I'm an AI assistant" and "This call is recorded" to a line that
 * does not already say them.
 */
export function withDisclosure(line: string): string {
  const parts = [sentence(line)];
  if (!mentionsAi(line)) parts.push("I'm an AI assistant.");
  if (!mentionsRecording(line)) parts.push("This call is recorded.");
  return parts.join(" ");
}

/**
 * The opening spoken when no composed line is ready in time, built only from the request's structured
 * fields: the caller's own greeting as given, else a plain introduction; then the disclosure. It names
 * nobody the request does not name in its greeting, so it cannot garble a name.
 */
export function templateOpening(request: CallRequest): OpeningFacts {
  const greeting = request.greeting?.trim();
  const line =
    greeting !== undefined && greeting.length > 0
      ? withDisclosure(greeting)
      : "Hello, this is an AI assistant. This call is recorded.";
  return { line, callerName: null, onBehalfOf: null, purpose: null, fromTemplate: true };
}
