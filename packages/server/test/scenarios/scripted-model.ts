import type { FakeLlmOutcome, FakeLlmRequestView } from "../fakes/llm-script.ts";

/** How a scripted agent behaves: a sensible one by default; the flags make it fail in one known way. */
export interface ScriptedAgentOptions {
  /** Never says why it calls (only who it is): nothing should get done for it. */
  hidesPurpose?: boolean;
  /** Talks to phone menus instead of pressing keys: a menu should not understand it. */
  talksToMenus?: boolean;
}

/** The task as the model is briefed with it, read from its system instructions. */
export function taskOf(system: string): string {
  const m = /# The task \(your whole briefing\)\n([\s\S]*?)(?:\n\n#|$)/.exec(system);
  return (m?.[1] ?? "").trim();
}

/** "Call to confirm X's appointment on Tuesday." → "I'm calling to confirm X's appointment on Tuesday." */
function purposeOf(task: string): string {
  const first = (/^[^.!?]*[.!?]?/.exec(task)?.[0] ?? task).trim();
  const rest = first.replace(/^(please\s+)?call(\s+[\w']+)*?\s+(to|about)\s+/i, "");
  const verb = /^(please\s+)?call\b/i.test(first) ? (/\sabout\s/i.test(first) ? "about" : "to") : null;
  return verb ? `I'm calling ${verb} ${rest}` : `I'm calling about this: ${first}`;
}

/** Whom the task is for: "on behalf of X", or the first full name in it. */
function principalOf(task: string): string {
  return (
    /on behalf of ([A-Z][a-z]+(?: [A-Z][a-z]+)?)/.exec(task)?.[1] ??
    /\b([A-Z][a-z]+ [A-Z][a-z]+)(?:'s)?\b/.exec(task)?.[1] ??
    "my client"
  );
}

/**
 * A scripted stand-in for the language model in sandbox scenarios: it answers what the callee last said
 * the way a sensible agent would, from the conversation any model is given (its instructions, what it
 * heard, tool results) and with the same tools; never from a persona's internals or verdict.
 * Deterministic, so a scenario ends the same way every run.
 */
export function createScriptedAgent(options: ScriptedAgentOptions = {}) {
  return (request: FakeLlmRequestView): FakeLlmOutcome => {
    const heard = request.lastUserText.toLowerCase();
    const task = taskOf(request.system);
    const principal = principalOf(task);
    const identity = `I'm an AI assistant calling for ${principal}.`;
    const purpose = options.hidesPurpose ? identity : purposeOf(task);
    const end = (text: string, reason: string): FakeLlmOutcome => ({
      text,
      toolCalls: [{ name: "end_call", arguments: { reason } }],
    });
    const lastTool = [...request.turns].reverse().find((t) => t.role === "tool");
    // Only a failed handoff's result carries a `reason` (no_answer, busy, ...) next to ok: false. The
    // agent has just told the other party the user could not be reached; the task ends there.
    if (lastTool && /"ok":false,"reason":/.test(lastTool.text)) {
      return end("I'll let them know you called. Thank you for your help, goodbye.", "handoff failed");
    }
    if (
      /voicemail|after the tone|leave a message/.test(heard) ||
      /leave (a|the) message now/i.test(request.system + heard)
    ) {
      return end(`Hi, this is an AI assistant calling for ${principal}. ${purpose} Goodbye.`, "message left");
    }
    if (/press one/.test(heard)) {
      if (options.talksToMenus) return { text: `Hello? ${purpose}` };
      return { toolCalls: [{ name: "press_digits", arguments: { digits: "1" } }] };
    }
    if (/please hold|all of our agents are busy|stay on the line/.test(heard)) {
      return { toolCalls: [{ name: "wait_on_hold", arguments: {} }] };
    }
    if (/say your name and why/.test(heard))
      return { text: `This is an AI assistant calling for ${principal}. ${purpose}` };
    if (/wrong person/.test(heard)) return end("Oh, I'm sorry for the trouble. Goodbye.", "wrong number");
    if (/not sure what you need|not available/.test(heard))
      return end("I understand. Goodbye.", "could not proceed");
    if (/cannot look that up/.test(heard))
      return end("I understand. I'll call back with it. Thank you, goodbye.", "missing information");
    if (/date of birth/.test(heard)) {
      const dob = /(?:born on|date of birth (?:is|of))\s+([^.]+)/i.exec(task)?.[1];
      return {
        text: dob ? `The date of birth is ${dob}.` : "I'm sorry, I don't have the date of birth with me.",
      };
    }
    if (/patient's name/.test(heard)) return { text: `The patient is ${principal}.` };
    if (/is that the appointment/.test(heard))
      return { text: options.hidesPurpose ? "Yes." : `Yes, that's the one. ${purpose}` };
    if (/which one works better/.test(heard)) {
      const wanted = /\b(monday|tuesday|wednesday|thursday|friday)\b/gi;
      const offered = request.lastUserText.split(/, or |move it to /i).slice(1);
      const pick = offered.find((o) =>
        [...task.matchAll(wanted)].some((d) => o.toLowerCase().includes(d[1]!.toLowerCase())),
      );
      return {
        text: `${(pick ?? offered[0] ?? "the first one").replace(/\. which one works better\?$/i, "")} works, thank you.`,
      };
    }
    if (/who this is|who is calling/.test(heard))
      return { text: `Sorry about that. ${identity} ${options.hidesPurpose ? "" : purpose}`.trim() };
    const triedConnect = request.turns.some((t) => t.role === "tool" && /connect/i.test(t.text));
    if (
      request.toolNames.includes("connect_user") &&
      !triedConnect &&
      /anything else|taken care of|confirmed|thanks for letting me know/.test(heard)
    ) {
      return {
        text: `Thank you. I'm connecting ${principal.split(" ")[0]} now, please hold.`,
        toolCalls: [{ name: "connect_user", arguments: {} }],
      };
    }
    if (/anything else|goodbye|bye/.test(heard))
      return end("No, that's all. Thank you, goodbye.", "task done");
    if (
      /how can i help|what can i do|what is the call about|what is this regarding|help you with|go ahead|confirm it, move it|hello\?/.test(
        heard,
      )
    ) {
      return { text: purpose };
    }
    return { text: "Okay, thank you." };
  };
}

/** The sensible scripted agent every scenario uses unless it tests a failure. */
export const scriptedAgentModel = createScriptedAgent();
