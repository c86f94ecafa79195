import { normalizeWords } from "../voice/barge-in.ts";

// What hold loops and queue announcements say; a person back on the line says something else.
const HOLD_PATTERNS: readonly RegExp[] = [
  /\bplease (continue to )?hold\b/,
  /\b(hold|stay) on the line\b/,
  /\bremain on the line\b/,
  /\byour call is (very )?important\b/,
  /\bnext available\b/,
  /\b(estimated|expected|approximate) (wait|hold) time\b/,
  /\bcalls? (will be|are) answered in the order\b/,
  /\byou are (caller )?number \w+ in (the )?(queue|line)\b/,
  /\ball (of )?our (agents|representatives|staff|operators)\b.*\b(busy|assisting|helping|unavailable)\b/,
  /\bhigher than (normal|usual) call volume\b/,
  /\bcan you hold\b/,
  /\bhold (on )?(for )?(just )?(a|one) (moment|minute|second|sec)\b/,
];

const VOICEMAIL_PATTERNS: readonly RegExp[] = [
  /\bleave (me |us )?(a |your )?(brief |short |detailed )?message\b/,
  /\bafter the (tone|beep)\b/,
  /\bat the (tone|beep)\b/,
  /\b(not|isn't|is not) available (to take|right now|at the moment)\b/,
  /\bcan't come to the phone\b/,
  /\bcannot come to the phone\b/,
  /\byou have reached the voice ?mail\b/,
  /\bvoice ?mail (box )?of\b/,
  /\brecord your message\b/,
  /\bmailbox\b/,
];

// What automated menus say; people rarely tell a caller which key to press.
const MENU_PATTERNS: readonly RegExp[] = [
  /\b(press|dial|enter) (\d|zero|one|two|three|four|five|six|seven|eight|nine|star|pound|the pound)\b/,
  /\bfor [\w' ]+,? (press|dial|say) \w+/,
  /\b(make|say) your selection\b/,
  /\bmain menu\b/,
  /\blisten carefully (to|as) (the|our) (menu )?options\b/,
];

// What call screeners say before putting a caller through.
const SCREENER_PATTERNS: readonly RegExp[] = [
  /\bscreening service\b/,
  /\b(say|state) your name\b/,
  /\bwho is calling and why\b/,
  /\bwhat (is|are) you calling about\b.*\b(before|connect|put you through)\b/,
];

/** What answered the call, judged from what it said first. */
export type Answerer = "person" | "screener" | "menu" | "voicemail" | "hold";

/**
 * Decides what is on the line from one utterance: a greeting that asks for a message is voicemail,
 * a prompt naming keys is a menu, a queue announcement is hold, a request to say who and why is a
 * screener; anything else is taken for a person.
 */
export function whatAnswered(text: string): Answerer {
  const t = normalizeWords(text);
  if (VOICEMAIL_PATTERNS.some((p) => p.test(t))) return "voicemail";
  if (MENU_PATTERNS.some((p) => p.test(t))) return "menu";
  if (HOLD_PATTERNS.some((p) => p.test(t))) return "hold";
  if (SCREENER_PATTERNS.some((p) => p.test(t))) return "screener";
  return "person";
}

export function isHoldAnnouncement(text: string): boolean {
  const t = normalizeWords(text);
  return HOLD_PATTERNS.some((p) => p.test(t));
}

export function isVoicemailGreeting(text: string): boolean {
  const t = normalizeWords(text);
  return VOICEMAIL_PATTERNS.some((p) => p.test(t));
}

/** What the agent says as it ends a call for a reason of its own. */
export const GOODBYES = {
  silent: "I can't hear anyone on the line, so I'll end the call here. Goodbye.",
  limit: "I'm sorry, I have to end the call now. Thank you for your time, goodbye.",
  trouble: "I'm sorry, I'm having technical trouble, so I'll have to end the call. Goodbye.",
  hold: "I've been waiting on hold for too long, so I'll try again another time. Goodbye.",
} as const;

/**
 * What a callee's words in conversation call for before any model is asked: a voicemail greeting (only
 * before the agent's first reply: later, the words are someone quoting one), a hold, or the model's reply.
 */
export function conversationTurn(text: string, beforeFirstReply: boolean): "voicemail" | "hold" | "model" {
  if (beforeFirstReply && isVoicemailGreeting(text)) return "voicemail";
  if (isHoldAnnouncement(text)) return "hold";
  return "model";
}
