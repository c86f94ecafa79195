import type { CalleeRuntime } from "./callee-runtime.ts";
import type { LineKey } from "./lines.ts";

/** A persona: a script over the runtime's primitives. It ends by returning or when the call stops. */
export type PersonaScript = (callee: CalleeRuntime) => Promise<void>;

/**
 * Waits for the agent's next turn the way people do: after a long silence "are you still there?",
 * after another one a goodbye and a hang-up.
 */
async function awaitTurn(callee: CalleeRuntime): Promise<void> {
  const { idleTimeoutMs } = callee.timings;
  if ((await callee.waitAgentTurn(idleTimeoutMs)) === "turn") return;
  await callee.say("stillThere");
  if ((await callee.waitAgentTurn(idleTimeoutMs)) === "turn") return;
  await callee.say("hangingUp");
  callee.hangup();
}

/** Answers each of the agent's turns with the next line; after the last one, hangs up. */
async function converse(callee: CalleeRuntime, replies: readonly LineKey[]): Promise<void> {
  for (const reply of replies) {
    await awaitTurn(callee);
    if (callee.isStopped) return;
    await callee.sleep(callee.timings.replyDelayMs);
    await callee.say(reply);
  }
  // Room for the agent's own goodbye before the line goes dead.
  await callee.sleep(callee.timings.goodbyeGraceMs);
  await callee.waitAgentQuiet(callee.timings.idleTimeoutMs);
  callee.hangup();
}

/** 0100: front desk; appointment confirmed, moved or cancelled, whichever the agent asks for. */
export const receptionist: PersonaScript = async (callee) => {
  await callee.say("deskGreeting");
  await converse(callee, ["deskAskName", "deskFoundAppointment", "deskDone", "deskGoodbye"]);
};

/** 0111: asks for the patient's date of birth, which the task does not give. */
export const birthDateReceptionist: PersonaScript = async (callee) => {
  await callee.say("clinicGreeting");
  await converse(callee, ["clinicAskBirthDate", "clinicNoBirthDate", "clinicGoodbye"]);
};

const MENU_ATTEMPTS = 3;

/** 0109: "press 1 for appointments, 2 for billing"; only 1 gets through to a person. */
export const phoneMenu: PersonaScript = async (callee) => {
  for (let attempt = 0; attempt < MENU_ATTEMPTS; attempt++) {
    // Like real menus, a digit pressed during the prompt cuts it short.
    await callee.sayUnlessDigit("menuPrompt");
    const digit = await callee.waitDigit(callee.timings.menuTimeoutMs);
    if (digit === null) {
      await callee.say("menuNoInput");
      continue;
    }
    callee.emit({ type: "digit", digit, accepted: digit === "1" });
    if (digit === "1") {
      await callee.say("menuConnecting");
      await callee.sleep(callee.timings.connectPauseMs);
      await callee.say("menuPerson");
      await converse(callee, ["personHelp", "personGoodbye"]);
      return;
    }
    await callee.say(digit === "2" ? "menuBillingClosed" : "menuInvalid");
  }
  await callee.say("menuGiveUp");
  callee.hangup();
};

/** 0110: hold music with "your call is important to us" until the hold time is up, then a person. */
export const holdQueue: PersonaScript = async (callee) => {
  const { holdSeconds, holdMusicSeconds } = callee.timings;
  await callee.say("holdWelcome");
  await callee.sleep(700);
  const until = performance.now() + holdSeconds * 1000;
  // Announcements stand apart from the music, as real queues leave a beat around them; a recogniser
  // then hears them as phrases of their own rather than as part of the music.
  for (;;) {
    const left = (until - performance.now()) / 1000;
    if (left <= 0) break;
    await callee.play(callee.holdMusic(Math.min(holdMusicSeconds, left)));
    await callee.sleep(700);
    if (until - performance.now() > 0) {
      await callee.say("holdAnnouncement");
      await callee.sleep(500);
    }
  }
  await callee.say("holdPerson");
  await converse(callee, ["personHelp", "personGoodbye"]);
};

/** 0108: greeting, beep, then records until the caller falls silent, hangs up, or the limit is hit. */
export const voicemail: PersonaScript = async (callee) => {
  const { voicemailSilenceMs, voicemailMaxMs } = callee.timings;
  await callee.say("voicemailGreeting");
  await callee.play(callee.speech.beep());
  const beepEnd = performance.now();
  let speechMs = 0;
  for (;;) {
    const now = performance.now();
    if (now - beepEnd >= voicemailMaxMs) break;
    const lastVoice = Math.max(beepEnd, callee.lastAgentVoiceAt);
    if (!callee.agentSpeaking && now - lastVoice >= voicemailSilenceMs) break;
    const started = performance.now();
    const speaking = callee.agentSpeaking;
    await callee.sleep(100);
    if (speaking) speechMs += performance.now() - started;
  }
  callee.emit({ type: "voicemail_recorded", speechMs: Math.round(speechMs) });
  callee.hangup();
};

/** 0112: the person a call is handed to; stays on the line once connected. */
export const bridgeTarget: PersonaScript = async (callee) => {
  await callee.say("bridgeGreeting");
  for (const reply of ["bridgeReady", "bridgeWaiting", "bridgeWaiting"] as const) {
    if ((await callee.waitAgentTurn(3_600_000)) !== "turn") return;
    await callee.sleep(callee.timings.replyDelayMs);
    await callee.say(reply);
  }
};

/** 0113: a screening service asks who is calling and why, then the person picks up. */
export const callScreener: PersonaScript = async (callee) => {
  await callee.say("screenerPrompt");
  if ((await callee.waitAgentTurn(callee.timings.idleTimeoutMs)) === "timeout") {
    await callee.say("screenerRepeat");
    if ((await callee.waitAgentTurn(callee.timings.idleTimeoutMs)) === "timeout") return callee.hangup();
  }
  await callee.say("screenerHold");
  await callee.sleep(callee.timings.connectPauseMs);
  await callee.say("screenerPerson");
  await converse(callee, ["screenerThanks", "personGoodbye"]);
};

/** 0114: talks over the agent once it has been speaking for a moment, then lets it go on. */
export const interrupter: PersonaScript = async (callee) => {
  await callee.say("hello");
  let interrupted = false;
  const replies: LineKey[] = ["interrupterGoAhead", "interrupterBye"];
  while (replies.length > 0) {
    if ((await callee.waitAgentSpeech(callee.timings.idleTimeoutMs)) === "timeout") {
      await callee.say("hangingUp");
      return callee.hangup();
    }
    if (!interrupted && (await callee.waitAgentQuiet(callee.timings.interruptAfterMs)) === "timeout") {
      interrupted = true;
      callee.emit({ type: "interrupted" });
      await callee.say("interrupterCutIn");
      continue;
    }
    await callee.waitAgentTurn(callee.timings.idleTimeoutMs);
    await callee.sleep(callee.timings.replyDelayMs);
    await callee.say(replies.shift()!);
  }
  await callee.sleep(callee.timings.goodbyeGraceMs);
  callee.hangup();
};

/** 0115: answers and never says a word; the agent has to give up. */
export const silentLine: PersonaScript = async () => {};

/** 0116: hangs up as soon as the agent starts talking. */
export const hangsUpOnAgent: PersonaScript = async (callee) => {
  await callee.say("hello");
  await callee.waitAgentSpeech(callee.timings.idleTimeoutMs);
  await callee.sleep(callee.timings.hangupDelayMs);
  callee.hangup();
};

/** 0107: chats along until the network drops the call under it. */
export const chattyPerson: PersonaScript = async (callee) => {
  await callee.say("hello");
  for (;;) {
    await awaitTurn(callee);
    if (callee.isStopped) return;
    await callee.sleep(callee.timings.replyDelayMs);
    await callee.say("chatAcknowledge");
  }
};

/** Any other number: someone who answers, is not who the agent wants, and ends the call. */
export const genericPerson: PersonaScript = async (callee) => {
  await callee.say("hello");
  await converse(callee, ["genericWrongPerson"]);
};
