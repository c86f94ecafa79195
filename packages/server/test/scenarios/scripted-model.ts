import type { FakeLlmOutcome, FakeLlmRequestView } from "../fakes/llm-script.ts";
import { scriptedJudgement } from "./scripted-judge.ts";

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
  const sentences = task.match(/[^.!?]+[.!?]?/g)?.map((s) => s.trim()) ?? [task];
  // The first "call … to …" of the briefing, also further into a sentence ("On behalf of X, call to …").
  for (const sentence of sentences) {
    const m = /\bcall(?:\s+[\w'’]+)*?\s+(to|about)\s+(.*)$/i.exec(sentence);
    if (m && !/^(on behalf|for)\b/i.test(m[2]!)) return `I'm calling ${m[1]!.toLowerCase()} ${m[2]}`;
  }
  return `I'm calling about this: ${sentences[0]}`;
}

const NAME_WORD = "[\\p{L}][\\p{L}'’-]*";
/** Words that follow a name in a briefing and are never part of it, whatever their case. */
const NOT_NAME =
  /^(to|about|and|or|for|with|on|at|in|who|whose|re|regarding|please|because|if|the|a|an|today|tomorrow|only|once|use|i|it|is)$/i;
const RELATION =
  /^(?:my|our|the) (?:client|boss|customer|friend|wife|husband|mother|father|manager|patient) /i;
/** "on behalf of jordan lee" → "Jordan Lee", as a careful reader would write a name given in one case. */
const titleCase = (name: string) =>
  name === name.toLowerCase() || name === name.toUpperCase()
    ? name.toLowerCase().replace(/(^|[\s'’-])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase())
    : name;

/** Up to three name words at the start of `text`, stopping at punctuation or a word that is no name. */
function nameAt(text: string): string | null {
  const words: string[] = [];
  for (const m of text
    .replace(RELATION, "")
    .matchAll(new RegExp(`(${NAME_WORD})(\\s+|$|(?=[^\\p{L}]))`, "gu"))) {
    const word = m[1]!.replace(/['’]s$/i, "");
    if (NOT_NAME.test(word) || words.length === 3) break;
    words.push(word);
    // A possessive or any punctuation ends the name.
    if (word !== m[1] || !/^\s*$/.test(m[2] ?? "") || (m[2] ?? "") === "") break;
  }
  return words.length > 0 ? titleCase(words.join(" ")) : null;
}

/**
 * Whom the task is for: "on behalf of X" or "for X", or the person whose appointment (or
 * other thing) it names ("Jordan Lee's appointment"); null when the task names nobody, as a careful
 * reader would not guess a principal from any capitalised words ("City Utilities", "Delta Dental").
 */
export function principalOf(task: string): string | null {
  const behalf = /\bon behalf of\s+(.*)/isu.exec(task)?.[1];
  // "for X" names someone only when X is written as a name ("for Jordan Lee", not "for pickup"),
  // unless the whole task is in one case and its case tells nothing.
  const oneCase = task === task.toLowerCase() || task === task.toUpperCase();
  const forWhom = oneCase
    ? /\b(?:call|calling|ring)\b[^.]*?\bfor\s+(.*)/isu.exec(task)?.[1]
    : /\bfor\s+((?:(?:my|our|the)\s+\p{Ll}+\s+)?\p{Lu}.*)/su.exec(task)?.[1];
  return (
    (behalf !== undefined ? nameAt(behalf) : null) ??
    (forWhom !== undefined ? nameAt(forWhom) : null) ??
    /((?:\p{Lu}[\p{L}'’-]*\s)?\p{Lu}[\p{L}'’-]*?)['’]s\b/u.exec(task)?.[1] ??
    null
  );
}

/** The "# Who you are" section of the instructions: the personality as given. */
function personalityOf(system: string): string {
  return (/# Who you are\n([^\n]*)/.exec(system)?.[1] ?? "").trim();
}

/**
 * The opening request made while the phone rings, answered as a careful model would: one line saying
 * who is calling (a name only if the personality starts with one), for whom, why, that it is an AI
 * assistant and that the call is recorded.
 */
export function scriptedOpeningArguments(system: string, options: ScriptedAgentOptions = {}) {
  const task = taskOf(system);
  const personality = personalityOf(system);
  const principal = /on behalf of/i.test(personality) ? principalOf(personality) : principalOf(task);
  const name = /^(?:I am |I'm |You are )?(\p{Lu}\p{Ll}+)(?=,)/u.exec(personality)?.[1];
  const purpose = options.hidesPurpose ? "" : purposeOf(task);
  const who = name ? `this is ${name}, an AI assistant` : "this is an AI assistant";
  const forWhom = principal ? ` calling on behalf of ${principal}` : "";
  return {
    line: `Hello, ${who}${forWhom}.${purpose ? ` ${purpose}` : ""} This call is recorded.`,
    ...(name ? { caller_name: name } : {}),
    ...(principal ? { on_behalf_of: principal } : {}),
    purpose,
  };
}

/**
 * A scripted stand-in for the language model in sandbox scenarios: it answers what the callee last said
 * the way a sensible agent would, from the conversation any model is given (its instructions, what it
 * heard, tool results) and with the same tools; never from a persona's internals or verdict.
 * Deterministic, so a scenario ends the same way every run.
 */
export function createScriptedAgent(options: ScriptedAgentOptions = {}) {
  return (request: FakeLlmRequestView): FakeLlmOutcome => {
    // After the call: what came of it, asked for with its own tool.
    if (request.toolNames.includes("report_call_result")) return scriptedJudgement(request);
    const heard = request.lastUserText.toLowerCase();
    const task = taskOf(request.system);
    const principal = principalOf(task);
    const identity = principal ? `I'm an AI assistant calling for ${principal}.` : "I'm an AI assistant.";
    const purpose = options.hidesPurpose ? identity : purposeOf(task);
    if (request.toolNames.includes("compose_opening")) {
      return {
        toolCalls: [
          { name: "compose_opening", arguments: scriptedOpeningArguments(request.system, options) },
        ],
      };
    }
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
      return end(`Hi, ${identity.replace(/^I'm/, "this is")} ${purpose} Goodbye.`, "message left");
    }
    if (/press one/.test(heard)) {
      if (options.talksToMenus) return { text: `Hello? ${purpose}` };
      return { toolCalls: [{ name: "press_digits", arguments: { digits: "1" } }] };
    }
    if (/please hold|all of our agents are busy|stay on the line/.test(heard)) {
      return { toolCalls: [{ name: "wait_on_hold", arguments: {} }] };
    }
    if (/say your name and why/.test(heard))
      return { text: `${identity.replace(/^I'm/, "This is")} ${purpose}` };
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
    if (/patient's name/.test(heard))
      return {
        text: principal ? `The patient is ${principal}.` : "I'm sorry, I don't have the name with me.",
      };
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
        text: `Thank you. I'm connecting ${principal?.split(" ")[0] ?? "the person I'm calling for"} now, please hold.`,
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
