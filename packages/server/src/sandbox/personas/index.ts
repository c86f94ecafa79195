import type { SandboxVerdict } from "@clawcall/contract";
import type { MediaStream } from "../../media/media-stream.ts";
import type { SpokenTextJournal } from "../../voice/spoken-text.ts";
import type { CalleeSpeech } from "../speech/callee-speech.ts";
import {
  type CalleeContext,
  type CalleeControls,
  type CalleeEvent,
  CalleeRuntime,
  CalleeStopped,
  type CalleeTimings,
  DEFAULT_TIMINGS,
} from "./callee-runtime.ts";
import * as scripts from "./scripts.ts";
import { VerdictLog } from "./verdict.ts";

export {
  type CalleeContext,
  type CalleeControls,
  type CalleeEvent,
  type CalleeTimings,
  DEFAULT_TIMINGS,
} from "./callee-runtime.ts";
export { LINES, personaPhrases, personaUtterances } from "./lines.ts";

const PERSONAS: Record<string, scripts.PersonaScript> = {
  "0100": scripts.receptionist,
  "0107": scripts.chattyPerson,
  "0108": scripts.voicemail,
  "0109": scripts.phoneMenu,
  "0110": scripts.holdQueue,
  "0111": scripts.birthDateReceptionist,
  "0112": scripts.bridgeTarget,
  "0113": scripts.callScreener,
  "0114": scripts.interrupter,
  "0115": scripts.silentLine,
  "0116": scripts.hangsUpOnAgent,
  "0118": scripts.phoneOwner,
  "0119": scripts.wrongCodeOwner,
  // Not a number: the person a sandbox handoff joins to the callee (see SandboxNetwork.bridge).
  bridged: scripts.bridgedPerson,
};

/** Lines the network itself settles (busy, no answer, ...): nobody there to talk to. */
const NOT_ANSWERED = new Set(["0101", "0102", "0103", "0104", "0105", "0106", "0117"]);

/** True when a call to this 4-digit line is answered by someone (a persona) the agent talks to. */
export function isConversationalLine(line: string): boolean {
  return !NOT_ANSWERED.has(line);
}

/** How a number behaves as a bridge target (`bridge_number`): 0117 rings out, the rest answer. */
export type BridgeTargetBehaviour = { kind: "answers" } | { kind: "no_answer"; ringSeconds: number };

export function bridgeTargetBehaviour(
  line: string,
  options: { ringSeconds?: number } = {},
): BridgeTargetBehaviour {
  return line === "0117"
    ? { kind: "no_answer", ringSeconds: options.ringSeconds ?? 20 }
    : { kind: "answers" };
}

export interface SandboxCalleeOptions extends Partial<CalleeTimings> {
  speech: CalleeSpeech;
  /** What the persona knows of the call beyond its line (see CalleeContext). */
  context?: CalleeContext;
  /** Told what the persona does (lines spoken, digits taken, hang-up): for tests and traces. */
  onEvent?(event: CalleeEvent): void;
  /** Where the persona notes the text of its lines by mark, for another persona bridged onto the line. */
  spokenText?: SpokenTextJournal;
  /** A persona's script failed (e.g. speech could not be synthesised); the persona hangs up. */
  onError?(error: Error): void;
}

/** A persona on the line: told the words of the agent's played audio, asked for its verdict at the end. */
export interface RunningCallee {
  stop(): void;
  /** Words of the agent's audio that were played to the callee (see PlayedTextFollower). */
  hear(text: string): void;
  /** What the callee did; read once the call is over. */
  verdict(): SandboxVerdict;
}

/**
 * Puts the persona of a magic number on the callee side of a sandbox line. The persona speaks into
 * `media`, hears the agent's audio through it and its words through `hear`, takes keypad digits from
 * it, and hangs up through `controls`. A line with no persona of its own gets the generic person.
 */
export function startSandboxCallee(
  line: string,
  media: MediaStream,
  controls: CalleeControls,
  options: SandboxCalleeOptions,
): RunningCallee {
  const { speech, onEvent, onError, spokenText, context = {}, ...overrides } = options;
  const timings: CalleeTimings = { ...DEFAULT_TIMINGS };
  for (const [key, value] of Object.entries(overrides) as [keyof CalleeTimings, number | undefined][]) {
    if (value !== undefined) timings[key] = value;
  }
  const runtime = new CalleeRuntime(
    media,
    controls,
    speech,
    timings,
    (event) => onEvent?.(event),
    spokenText,
    context,
  );
  const script = PERSONAS[line] ?? scripts.genericPerson;
  const log = new VerdictLog(PERSONAS[line] ? line : "generic");
  script(runtime, log).catch((error: unknown) => {
    if (error instanceof CalleeStopped || runtime.isStopped) return;
    onError?.(error instanceof Error ? error : new Error(String(error)));
    runtime.hangup();
  });
  return {
    stop: () => runtime.stop(),
    hear: (text) => runtime.hear(text),
    verdict: () => log.verdict(),
  };
}
