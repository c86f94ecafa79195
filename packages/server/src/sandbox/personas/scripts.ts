import type { CalleeRuntime } from "./callee-runtime.ts";
import { FrontDesk } from "./front-desk.ts";
import { asksToHold, greetsAsNewcomer, keepsOnHold, understand } from "./intents.ts";
import type { LineKey } from "./lines.ts";
import type { Mind } from "./mind.ts";
import { BirthDateDesk, DeskPerson, Interrupted, Screener } from "./people.ts";
import type { VerdictLog } from "./verdict.ts";

/** A persona: a script over the runtime's primitives. It ends by returning or when the call stops. */
export type PersonaScript = (callee: CalleeRuntime, log: VerdictLog) => Promise<void>;

/** Turns a conversation may take before a persona has had enough. */
const MAX_TURNS = 14;

/**
 * Waits for the agent's next turn the way people do: after a long silence "are you still there?",
 * after another one a goodbye and a hang-up. Then leaves a natural gap, and if the agent carries on
 * in it, waits for that turn too. Returns the words heard meanwhile, or null once it hung up.
 */
async function listen(callee: CalleeRuntime): Promise<string | null> {
  const { idleTimeoutMs, replyDelayMs } = callee.timings;
  if ((await callee.waitAgentTurn(idleTimeoutMs)) === "timeout") {
    await callee.say("stillThere");
    if ((await callee.waitAgentTurn(idleTimeoutMs)) === "timeout") {
      await callee.say("hangingUp");
      callee.hangup();
      return null;
    }
  }
  for (;;) {
    await callee.sleep(replyDelayMs);
    if (!callee.agentSpeaking) break;
    // The agent went on after a pause: a polite person lets it finish.
    await callee.waitAgentTurn(idleTimeoutMs);
  }
  return callee.takeHeard();
}

/**
 * Asked to hold while the caller connects someone: agrees, then waits as long as the caller keeps it
 * company ("still connecting you"); a caller gone quiet gets "are you still there?" and then a hang-up
 * (see listen). Returns the first words that are not about holding, or null once it hung up.
 */
async function holdOn(callee: CalleeRuntime): Promise<string | null> {
  await callee.say("holdingOn");
  for (;;) {
    const heard = await listen(callee);
    if (heard === null || !keepsOnHold(heard)) return heard;
  }
}

/** Talks with the agent through a mind until one of them ends the call. */
async function converse(callee: CalleeRuntime, mind: Mind): Promise<void> {
  for (let turn = 0; turn < MAX_TURNS; turn++) {
    let heard = await listen(callee);
    if (heard !== null && asksToHold(heard)) {
      heard = await holdOn(callee);
      // The person put through says hello; the one who held greets them before anything else.
      if (heard !== null && greetsAsNewcomer(heard)) {
        await callee.say("greetJoined");
        continue;
      }
    }
    if (heard === null) return;
    const reaction = mind.turn(heard);
    for (const line of reaction.say) await callee.say(line);
    if (reaction.end) return hangUpAfterGoodbye(callee);
  }
  await callee.say("hangingUp");
  callee.hangup();
}

/** Room for the agent's own goodbye before the line goes dead. */
async function hangUpAfterGoodbye(callee: CalleeRuntime): Promise<void> {
  await callee.sleep(callee.timings.goodbyeGraceMs);
  await callee.waitAgentQuiet(callee.timings.idleTimeoutMs);
  callee.hangup();
}

/** 0100: front desk with an appointment book and the office's facts. */
export const receptionist: PersonaScript = async (callee, log) => {
  await callee.say("deskGreeting");
  await converse(callee, new FrontDesk(log));
};

/** 0111: asks for the patient's date of birth, which the task may not give. */
export const birthDateReceptionist: PersonaScript = async (callee, log) => {
  await callee.say("clinicGreeting");
  await converse(callee, new BirthDateDesk(log));
};

const MENU_ATTEMPTS = 3;

/** 0109: "press 1 for appointments, 2 for billing"; listens for digits only; 1 reaches the desk. */
export const phoneMenu: PersonaScript = async (callee, log) => {
  log.lacks("no menu option was chosen");
  for (let attempt = 0; attempt < MENU_ATTEMPTS; attempt++) {
    // Like real menus, a digit pressed during the prompt cuts it short.
    await callee.sayUnlessDigit("menuPrompt");
    const digit = await callee.waitDigit(callee.timings.menuTimeoutMs);
    // Words spoken at a menu are not understood; only keys are.
    callee.takeHeard();
    if (digit === null) {
      await callee.say("menuNoInput");
      continue;
    }
    callee.emit({ type: "digit", digit, accepted: digit === "1" });
    if (digit === "1") {
      log.did({ action: "menu_choice", digit, department: "appointments" });
      await callee.say("menuConnecting");
      await callee.sleep(callee.timings.connectPauseMs);
      await callee.say("menuPerson");
      await converse(callee, new FrontDesk(log));
      return;
    }
    if (digit === "2") log.did({ action: "menu_choice", digit, department: "billing" });
    await callee.say(digit === "2" ? "menuBillingClosed" : "menuInvalid");
  }
  await callee.say("menuGiveUp");
  callee.hangup();
};

/** 0110: hold music with "your call is important to us" until the hold time is up, then a person. */
export const holdQueue: PersonaScript = async (callee, log) => {
  const { holdSeconds, holdMusicSeconds } = callee.timings;
  log.lacks("the call ended in the hold queue");
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
  // Nobody listens to what is said to a hold queue.
  callee.takeHeard();
  await callee.say("holdPerson");
  await converse(callee, new DeskPerson(log));
};

/**
 * 0108: greeting, beep, then records until the caller falls silent, hangs up, or the limit is hit. The
 * message kept is what was played after the beep; one the mailbox cut off is not complete.
 */
export const voicemail: PersonaScript = async (callee, log) => {
  const { voicemailSilenceMs, voicemailMaxMs } = callee.timings;
  log.lacks("no message was left");
  await callee.say("voicemailGreeting");
  await callee.play(callee.speech.beep());
  callee.takeHeard();
  // Only the mailbox cutting the caller off at its limit leaves a message incomplete; a caller that
  // hangs up or falls silent has finished it.
  let cutOff = false;
  log.onFinish(() => {
    const text = callee.takeHeard();
    // A message that never says why the caller called is kept, but is no use to the listener.
    if (text !== "")
      log.did({ action: "message", text, complete: !cutOff, states_purpose: understand(text).reason });
  });
  const beepEnd = performance.now();
  let speechMs = 0;
  for (;;) {
    const now = performance.now();
    if (now - beepEnd >= voicemailMaxMs) {
      cutOff = callee.agentSpeaking;
      break;
    }
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
export const bridgeTarget: PersonaScript = async (callee, log) => {
  log.lacks("the bridge target was never connected");
  await callee.say("bridgeGreeting");
  for (const reply of ["bridgeReady", "bridgeWaiting", "bridgeWaiting"] as const) {
    if ((await callee.waitAgentTurn(3_600_000)) !== "turn") return;
    await callee.sleep(callee.timings.replyDelayMs);
    await callee.say(reply);
  }
};

/**
 * The user a sandbox handoff connects (the `bridge_number`): greets the callee the agent left on the
 * line, listens to it, and takes the conversation from there.
 */
export const bridgedPerson: PersonaScript = async (callee, log) => {
  log.lacks("the bridged party heard nobody");
  if (callee.context.greeting) log.did({ action: "greeted", heard: callee.context.greeting });
  await callee.say("bridgeGreeting");
  const heard = await listen(callee);
  if (heard === null) return;
  if (heard !== "") log.did({ action: "talked", heard });
  await callee.say("bridgedThanks");
  await hangUpAfterGoodbye(callee);
};

/** 0113: a screening service asks who is calling and why, then the person picks up. */
export const callScreener: PersonaScript = async (callee, log) => {
  const screener = new Screener(log);
  await callee.say("screenerPrompt");
  while (!screener.passed) {
    const heard = await listen(callee);
    if (heard === null) return;
    const reaction = screener.turn(heard);
    for (const line of reaction.say) await callee.say(line);
    if (reaction.end) return callee.hangup();
  }
  await callee.sleep(callee.timings.connectPauseMs);
  await callee.say("screenerPerson");
  await converse(callee, new DeskPerson(log, "screenerThanks"));
};

/** 0114: talks over the agent once, mid-sentence, with a question; then lets it finish and reacts. */
export const interrupter: PersonaScript = async (callee, log) => {
  await callee.say("hello");
  const mind = new Interrupted(log);
  if ((await callee.waitAgentSpeech(callee.timings.idleTimeoutMs)) === "timeout") {
    await callee.say("hangingUp");
    return callee.hangup();
  }
  if ((await callee.waitAgentQuiet(callee.timings.interruptAfterMs)) === "timeout") {
    callee.emit({ type: "interrupted" });
    await callee.say("interrupterCutIn");
  }
  await converse(callee, mind);
};

/** 0115: answers and never says a word; the agent has to give up. */
export const silentLine: PersonaScript = async (_callee, log) => {
  log.lacks("nobody spoke on the line");
};

/** 0116: hangs up as soon as the agent starts talking. */
export const hangsUpOnAgent: PersonaScript = async (callee, log) => {
  log.lacks("the callee hung up as soon as the agent spoke");
  await callee.say("hello");
  await callee.waitAgentSpeech(callee.timings.idleTimeoutMs);
  await callee.sleep(callee.timings.hangupDelayMs);
  callee.hangup();
};

/** 0107: chats along until the network drops the call under it. */
export const chattyPerson: PersonaScript = async (callee, log) => {
  log.lacks("the line dropped");
  await callee.say("hello");
  for (;;) {
    if ((await listen(callee)) === null) return;
    await callee.say("chatAcknowledge");
  }
};

/** Any other number: someone who answers, is not who the agent wants, and ends the call. */
export const genericPerson: PersonaScript = async (callee, log) => {
  log.lacks("wrong number");
  await callee.say("hello");
  const wrongPerson: Mind = { turn: () => ({ say: ["genericWrongPerson" satisfies LineKey], end: true }) };
  await converse(callee, wrongPerson);
};

/** Asked for the code, what the phone's owner types: the one it was shown, or (0119) a wrong one. */
async function answerVerification(callee: CalleeRuntime, log: VerdictLog, asShown: boolean): Promise<void> {
  log.lacks("nobody asked for a code");
  await callee.say("hello");
  for (let turn = 0; turn < 4; turn++) {
    const heard = await listen(callee);
    if (heard === null) return;
    if (!/\b(code|keypad)\b/i.test(heard)) continue;
    const shown = callee.context.shownCode;
    if (shown === undefined) {
      log.lacks("asked for a code it was never shown");
      break;
    }
    // Every digit one off: certainly not the code.
    const typed = asShown ? shown : [...shown].map((d) => String((Number(d) + 1) % 10)).join("");
    await callee.press(typed);
    log.did({ action: "typed_code", digits: typed.length, as_shown: asShown });
    // Hears how it went; the caller hangs up.
    if ((await listen(callee)) === null) return;
  }
  await callee.say("hangingUp");
  callee.hangup();
}

/** 0118: the owner of a phone being verified: types the code it was shown when the call asks for it. */
export const phoneOwner: PersonaScript = (callee, log) => answerVerification(callee, log, true);

/** 0119: an owner who types the wrong code. */
export const wrongCodeOwner: PersonaScript = (callee, log) => answerVerification(callee, log, false);
