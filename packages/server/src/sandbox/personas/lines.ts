import type { FliteVoice } from "../speech/flite.ts";

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

/**
 * Everything a sandbox callee can say, in one place: the personas speak these lines, and the sandbox's
 * recogniser is given exactly this list as its grammar (that is what makes 8 kHz recognition exact).
 * Numbers are spelled out and every word is a plain dictionary word, for the same reason.
 */
export const LINES = {
  // 0100: front desk
  deskGreeting: say(DESK, "Good morning, Maple Street Dental, this is Dana speaking. How can I help you?"),
  deskAskName: say(DESK, "Sure, I can help with that. Can I have the patient's name, please?"),
  deskFoundAppointment: say(
    DESK,
    "Thank you. I see the appointment on Tuesday at ten in the morning. I can confirm it, move it to Thursday at two in the afternoon, or cancel it. What would you like?",
  ),
  deskDone: say(DESK, "All right, that is done. Is there anything else I can help you with?"),
  deskGoodbye: say(DESK, "You are welcome. Have a great day. Goodbye."),

  // 0111: asks for what the task does not contain
  clinicGreeting: say(PERSON, "Hello, Riverside Medical Clinic, this is Sam. How can I help you?"),
  clinicAskBirthDate: say(
    PERSON,
    "I can help with that. For verification, can you tell me the patient's date of birth?",
  ),
  clinicNoBirthDate: say(
    PERSON,
    "I see. Without the date of birth I cannot look that up. Is there anything else?",
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

  // the person after a menu, a queue or a screener
  personHelp: say(
    PERSON,
    "Let me check that for you. Okay, that is all taken care of. Is there anything else?",
  ),
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

  // 0113: call screener
  screenerPrompt: say(
    MACHINE,
    "Hi, the person you are calling is using a screening service. Please say your name and why you are calling.",
  ),
  screenerRepeat: say(MACHINE, "Sorry, please say your name and why you are calling."),
  screenerHold: say(MACHINE, "Thanks, please stay on the line."),
  screenerPerson: say(PERSON, "Hi, this is Taylor. What can I do for you?"),
  screenerThanks: say(PERSON, "Okay, sounds good. Thanks for letting me know."),

  // 0114: interrupter
  interrupterCutIn: say(PERSON, "Sorry, sorry, can I just ask who this is?"),
  interrupterGoAhead: say(PERSON, "Oh, okay. Go ahead."),
  interrupterBye: say(PERSON, "All right, thanks. Bye."),

  // any person: 0114, 0116, 0107 and every other number
  hello: say(PERSON, "Hello?"),
  stillThere: say(PERSON, "Hello? Are you still there?"),
  hangingUp: say(PERSON, "I am going to hang up now. Goodbye."),
  genericWrongPerson: say(
    PERSON,
    "Oh, I think you have the wrong person. Sorry, I cannot help with that. Goodbye.",
  ),
  chatAcknowledge: say(PERSON, "Okay, I see. Go on."),
} as const satisfies Record<string, Utterance>;

export type LineKey = keyof typeof LINES;

/** Every (voice, text) a persona may speak: what to synthesise ahead of time. */
export function personaUtterances(): Utterance[] {
  return Object.values(LINES);
}

/** The texts every sandbox persona may speak, for a recogniser's grammar or phrase hints. */
export function personaPhrases(): string[] {
  return [...new Set(Object.values(LINES).map((u) => u.text))];
}
