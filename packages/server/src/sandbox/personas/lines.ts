import type { FliteVoice } from "../speech/flite.ts";
import { APPOINTMENTS, CLINIC_PATIENT, OPEN_SLOTS } from "./facts.ts";

export interface Utterance {
  voice: FliteVoice;
  text: string;
}

// Voices measured to be recognised back exactly at 8 kHz against the grammar (see test/sandbox):
// rms best, slt and kal16 for most lines.
const DESK: FliteVoice = "slt";
const MACHINE: FliteVoice = "kal16";
const PERSON: FliteVoice = "rms";

function say(voice: FliteVoice, text: string): Utterance {
  return { voice, text };
}

const FIXED = {
  // 0100 front desk (and the appointments desk behind the 0109 menu)
  deskGreeting: say(DESK, "Good morning, Maple Street Dental, this is Dana speaking. How can I help you?"),
  deskAskName: say(DESK, "Sure, I can help with that. Can I have the patient's name, please?"),
  deskAskPurpose: say(DESK, "Sorry, I did not catch that. What is the call about?"),
  deskWhatToDo: say(DESK, "Would you like to confirm it, move it to another day, or cancel it?"),
  deskOfferSlots: say(
    DESK,
    `I can move it to ${OPEN_SLOTS.map((s) => s.spoken).join(", or ")}. Which one works better?`,
  ),
  deskOutOfScope: say(
    DESK,
    "I am afraid I cannot help with that at the front desk. Our billing office can, on weekdays.",
  ),
  deskHours: say(DESK, "We are open Monday to Friday, from eight in the morning to five in the afternoon."),
  deskAddress: say(DESK, "We are at two hundred Maple Street, on the second floor, next to the library."),
  deskParking: say(DESK, "There is free parking behind the building."),
  deskInsurance: say(DESK, "We accept most plans, including Delta Dental, Aetna and Cigna."),
  deskCancellationPolicy: say(
    DESK,
    "We ask for twenty four hours notice to cancel, otherwise there is a fee of fifty dollars.",
  ),
  deskAnythingElse: say(DESK, "Is there anything else I can help you with?"),
  deskGoodbye: say(DESK, "You are welcome. Have a great day. Goodbye."),

  // 0111: asks for what the task does not contain
  clinicGreeting: say(PERSON, "Hello, Riverside Medical Clinic, this is Sam. How can I help you?"),
  clinicAskPurpose: say(PERSON, "Sorry, what can I help you with today?"),
  clinicAskName: say(PERSON, "Sure. What is the patient's name?"),
  clinicAskBirthDate: say(
    PERSON,
    "I can help with that. For verification, can you tell me the patient's date of birth?",
  ),
  clinicNoBirthDate: say(
    PERSON,
    "I see. Without the date of birth I cannot look that up. Is there anything else?",
  ),
  clinicWrongBirthDate: say(PERSON, "I am sorry, that date of birth does not match our records."),
  clinicConfirmed: say(
    PERSON,
    `Thank you, that matches. The appointment on ${CLINIC_PATIENT.appointment} is confirmed. Is there anything else?`,
  ),
  clinicCancelled: say(
    PERSON,
    `Thank you, that matches. I have cancelled the appointment on ${CLINIC_PATIENT.appointment}. Is there anything else?`,
  ),
  clinicGoodbye: say(PERSON, "Okay. Thank you for calling. Goodbye."),

  // 0109: phone menu
  menuPrompt: say(
    MACHINE,
    "Thank you for calling Lakeside Health. For appointments, press one. For billing, press two.",
  ),
  menuInvalid: say(MACHINE, "Sorry, that is not a valid option."),
  menuNoInput: say(MACHINE, "Sorry, I did not get your selection."),
  menuBillingClosed: say(MACHINE, "Our billing office is closed right now. Returning to the main menu."),
  menuConnecting: say(MACHINE, "Please hold while I connect you."),
  menuGiveUp: say(MACHINE, "We could not process your request. Goodbye."),
  menuPerson: say(DESK, "Appointments desk, this is Maria. How can I help you?"),

  // 0110: hold queue
  holdWelcome: say(MACHINE, "Thank you for calling City Utilities. All of our agents are busy. Please hold."),
  holdAnnouncement: say(MACHINE, "Your call is important to us. Please stay on the line."),
  holdPerson: say(PERSON, "Thank you for holding, this is Jordan. How can I help you?"),

  // the person after a queue or a screener
  personAskPurpose: say(PERSON, "Sorry, what is this regarding?"),
  personHelp: say(
    PERSON,
    "Let me check that for you. Okay, that is all taken care of. Is there anything else?",
  ),
  personNotSure: say(PERSON, "Sorry, I am not sure what you need. Please call back when you know. Bye."),
  personGoodbye: say(PERSON, "Great. Thanks for calling. Bye."),

  // 0108: voicemail
  voicemailGreeting: say(
    PERSON,
    "Hi, you have reached Alex. I cannot take your call right now. Please leave a message after the tone.",
  ),

  // 0112: the person a call is handed to
  bridgeGreeting: say(PERSON, "Hello, this is Chris."),
  bridgeReady: say(PERSON, "Sure, please connect me."),
  bridgeWaiting: say(PERSON, "Okay, I am still here."),
  bridgedThanks: say(PERSON, "Okay, thanks. I will take it from here. Bye."),

  // 0113: call screener
  screenerPrompt: say(
    MACHINE,
    "Hi, the person you are calling is using a screening service. Please say your name and why you are calling.",
  ),
  screenerRepeat: say(MACHINE, "Sorry, please say your name and why you are calling."),
  screenerHold: say(MACHINE, "Thanks, please stay on the line."),
  screenerDecline: say(MACHINE, "Sorry, the person you are calling is not available. Goodbye."),
  screenerPerson: say(PERSON, "Hi, this is Taylor. What can I do for you?"),
  screenerThanks: say(PERSON, "Okay, sounds good. Thanks for letting me know."),

  // 0114: interrupter
  interrupterCutIn: say(PERSON, "Sorry, sorry, can I just ask who this is?"),
  interrupterGoAhead: say(PERSON, "Oh, okay. Go ahead."),
  interrupterStillWho: say(PERSON, "Sorry, I still do not know who is calling."),
  interrupterGotIt: say(PERSON, "All right, got it. Thanks for letting me know. Bye."),
  interrupterBye: say(PERSON, "All right, thanks. Bye."),

  // any person: 0114, 0116, 0107 and every other number
  hello: say(PERSON, "Hello?"),
  // anyone asked to hold while the caller connects someone, and greeting who was put through
  holdingOn: say(PERSON, "Sure, I will hold."),
  greetJoined: say(PERSON, "Hello there. Yes, I am here. How can I help you?"),
  stillThere: say(PERSON, "Hello? Are you still there?"),
  hangingUp: say(PERSON, "I am going to hang up now. Goodbye."),
  genericWrongPerson: say(
    PERSON,
    "Oh, I think you have the wrong person. Sorry, I cannot help with that. Goodbye.",
  ),
  chatAcknowledge: say(PERSON, "Okay, I see. Go on."),
} as const satisfies Record<string, Utterance>;

/** The front desk reading its book: one line per appointment and outcome, numbers spelled out. */
function bookLines(): Record<BookLineKey, Utterance> {
  const lines: Record<string, Utterance> = {};
  for (const a of APPOINTMENTS) {
    lines[`book.found.${a.id}`] = say(
      DESK,
      `I have ${a.patient} down for ${a.spoken}. Is that the appointment?`,
    );
    lines[`book.confirmed.${a.id}`] = say(
      DESK,
      `All right, ${a.patient} is confirmed for ${a.spoken}. Is there anything else I can help you with?`,
    );
    lines[`book.cancelled.${a.id}`] = say(
      DESK,
      `All right, I have cancelled the appointment for ${a.patient} on ${a.spoken}. Is there anything else I can help you with?`,
    );
    for (const slot of OPEN_SLOTS) {
      lines[`book.moved.${a.id}.${slot.id}`] = say(
        DESK,
        `Done. ${a.patient} is now booked for ${slot.spoken}, with ${a.provider}. Is there anything else I can help you with?`,
      );
    }
  }
  return lines as Record<BookLineKey, Utterance>;
}

export type FixedLineKey = keyof typeof FIXED;
export type BookLineKey = `book.${string}`;

/**
 * Everything a sandbox callee can say, in one place: the personas speak these lines, and the sandbox's
 * recogniser is given exactly this list as its grammar (that is what makes 8 kHz recognition exact).
 * Numbers are spelled out and every word is a plain dictionary word, for the same reason.
 */
export const LINES: typeof FIXED & Record<BookLineKey, Utterance> = { ...FIXED, ...bookLines() };

/** A line by key; a book line that does not exist is a bug in a persona. */
export function lineOf(key: LineKey): Utterance {
  const line = LINES[key as FixedLineKey] as Utterance | undefined;
  if (line === undefined) throw new Error(`no persona line ${key}`);
  return line;
}

export type LineKey = FixedLineKey | BookLineKey;

/** Every (voice, text) a persona may speak: what to synthesise ahead of time. */
export function personaUtterances(): Utterance[] {
  return Object.values(LINES);
}

/** The texts every sandbox persona may speak, for a recogniser's grammar or phrase hints. */
export function personaPhrases(): string[] {
  return [...new Set(Object.values(LINES).map((u) => u.text))];
}
