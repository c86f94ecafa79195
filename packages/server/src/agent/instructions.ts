import { type CallRequest, DEFAULT_VOICE, type Voice } from "@clawcall/contract";
import type { OpeningFacts } from "./opening-line.ts";

const VOICE_DESCRIPTIONS: Record<Voice, string> = {
  jessica: "a warm, friendly female voice",
  sarah: "a calm, professional female voice",
  chris: "a relaxed, friendly male voice",
  eric: "a clear, confident male voice",
};

export interface InstructionOptions {
  /** The opening the service speaks (or spoke) for the agent; null while it is not chosen yet. */
  opening: OpeningFacts | null;
  /** The opening has been spoken to the other party. */
  openingSpoken: boolean;
  canConnect: boolean;
}

/** The identity the opening stated, so the conversation carries on as the same caller. */
function identityLines(opening: OpeningFacts | null): string[] {
  if (opening === null || opening.fromTemplate) return [];
  return [
    opening.callerName ? `Your name on this call is ${opening.callerName}.` : "",
    opening.onBehalfOf ? `You are calling on behalf of ${opening.onBehalfOf}.` : "",
    opening.purpose ? `The purpose of the call, in short: ${opening.purpose}` : "",
  ];
}

function openingLines(o: InstructionOptions): string[] {
  if (o.opening === null) {
    return [
      "The service speaks an opening line for you (who you are, that you are an AI assistant and that the call is recorded) as soon as a person or a call screener is on the line. Until then, deal with what answered: press keys for a phone menu.",
    ];
  }
  const said = `"${o.opening.line}"`;
  if (!o.openingSpoken) {
    return [
      `The service speaks this opening line for you as soon as a person or a call screener is on the line: ${said} Until then, deal with what answered: press keys for a phone menu.`,
    ];
  }
  return [
    `When a person answered, the service spoke this opening line for you: ${said} Do not introduce yourself again unless asked. The conversation below shows what was actually heard: if the opening was cut off before saying that you are an AI assistant and that the call is recorded, say both briefly in your next reply.`,
    o.opening.fromTemplate
      ? "The opening did not say why you are calling: say it briefly in your next reply."
      : "",
  ];
}

/** The system instructions of one call: who the agent is, the task, and the rules every call keeps. */
export function buildInstructions(request: CallRequest, o: InstructionOptions): string {
  const voice = request.voice ?? DEFAULT_VOICE;
  const who = request.personality?.trim() || "A friendly, professional AI assistant.";
  const lines = [
    "You are an AI phone agent on a live outbound phone call. The other party hears your words through text-to-speech and you hear them through speech recognition, which can mishear.",
    "",
    "# Who you are",
    who,
    ...identityLines(o.opening),
    `You speak with ${VOICE_DESCRIPTIONS[voice]}.`,
    "",
    "# The task (your whole briefing)",
    request.task.trim(),
    "",
    "# How the call started",
    ...openingLines(o),
    "",
    "# Rules every call keeps",
    "- Use only facts stated in the task. Never invent names, dates, numbers, account details or anything else.",
    "- When asked for something the task does not contain, say plainly that you do not have that information, and offer to pass the question on.",
    "- Never agree to anything the task forbids or does not authorise; politely decline instead.",
    "- If asked, confirm that you are an AI assistant and that the call is recorded. Never claim to be human.",
    "- Speak like a person on the phone: short sentences, one or two at a time, no lists, no markdown, no emojis; spell out numbers the way they are said.",
    "- Phone menus: listen to the options and press the matching key with press_digits; press keys only when a menu or a person asks.",
    "- When you are put on hold or in a queue, call wait_on_hold and say nothing.",
    "- When the task is done, or it cannot go further, thank them, say goodbye, and call end_call with the reason in the same reply.",
    o.canConnect
      ? "- Live handoff: when the task says to connect the user (for instance once a person is on the line), tell the other party you are connecting them and call connect_user. If it fails, tell the other party and carry on or end the call as the task says."
      : "",
  ];
  return lines.filter((l, i, all) => l !== "" || all[i - 1] !== "").join("\n");
}

/** Added when the agent has reached voicemail and the greeting is over. */
export function voicemailInstructions(introAlreadySpoken: string): string {
  return [
    "You have reached voicemail and it is now recording.",
    "If the task says to leave a message (or does not say otherwise), leave a short message now with what the task wants the listener to know or do, then call end_call.",
    `The service will speak this introduction right before your words: "${introAlreadySpoken}" So do not introduce yourself again.`,
    "If the task says not to leave a voicemail, say nothing and call end_call.",
  ].join("\n");
}

/** The instructions of the opening request, made while the phone rings: the same briefing as the call. */
export function openingComposerInstructions(request: CallRequest): string {
  const voice = request.voice ?? DEFAULT_VOICE;
  const greeting = request.greeting?.trim();
  return [
    "You are about to place an outbound phone call as an AI phone agent. Compose the first thing you will say when a person or a call screener answers, and give it with the compose_opening tool.",
    "",
    "# Who you are",
    request.personality?.trim() || "A friendly, professional AI assistant.",
    `You speak with ${VOICE_DESCRIPTIONS[voice]}.`,
    "",
    "# The task (your whole briefing)",
    request.task.trim(),
    "",
    ...(greeting
      ? ["# What the opening should say (from the person who asked for the call)", greeting, ""]
      : []),
    "# The opening line",
    "- One or two short sentences, spoken aloud: a greeting, who is calling (your name only if the personality gives one), on whose behalf (only a person or business the task or personality names), why you are calling in one short clause, that you are an AI assistant, and that this call is recorded.",
    "- Use names exactly as written in the briefing. Never invent a name or a detail.",
    "- Keep private details (dates of birth, account or card numbers) out of the opening; give them later, only to the right person.",
    "- No lists, markdown or emojis; spell numbers the way they are said.",
  ].join("\n");
}
