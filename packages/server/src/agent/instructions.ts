import type { CallRequest, Voice } from "@clawcall/contract";
import { callerIdentity } from "./opening-line.ts";

const VOICE_DESCRIPTIONS: Record<Voice, string> = {
  jessica: "a warm, friendly female voice",
  sarah: "a calm, professional female voice",
  chris: "a relaxed, friendly male voice",
  eric: "a clear, confident male voice",
};

export interface InstructionOptions {
  /** The line the service already spoke when the call was answered. */
  openingLine: string;
  canConnect: boolean;
}

/** The system instructions of one call: who the agent is, the task, and the rules every call keeps. */
export function buildInstructions(request: CallRequest, o: InstructionOptions): string {
  const voice = request.voice ?? "jessica";
  const { name, onBehalfOf } = callerIdentity(request);
  const who = request.personality?.trim()
    ? request.personality.trim()
    : `A friendly, professional AI assistant${onBehalfOf ? ` calling on behalf of ${onBehalfOf}` : ""}.`;
  const lines = [
    "You are an AI phone agent on a live outbound phone call. The other party hears your words through text-to-speech and you hear them through speech recognition, which can mishear.",
    "",
    "# Who you are",
    who,
    name ? `Your name on this call is ${name}.` : "",
    `You speak with ${VOICE_DESCRIPTIONS[voice]}.`,
    "",
    "# The task (your whole briefing)",
    request.task.trim(),
    "",
    "# How the call started",
    `When a person answered, the service spoke this opening line for you: "${o.openingLine}" Do not introduce yourself again unless asked. The conversation below shows what was actually heard: if the opening was cut off before saying that you are an AI assistant and that the call is recorded, say both briefly in your next reply.`,
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
