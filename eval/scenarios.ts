import type { SandboxVerdict, VerdictAction } from "@clawcall/contract";

/** One task given to the agent on one sandbox number, and what the callee must have done for it. */
export interface EvalScenario {
  id: string;
  /** The magic line called (any area code); a line outside the table reaches the generic person. */
  line: string;
  bridge?: string;
  task: string;
  /**
   * Actions the callee must report (each matched by the fields given). Empty: the callee must report
   * that nothing was done, as when a task cannot be done there and a good agent leaves it at that.
   */
  want: Array<Partial<VerdictAction> & { action: VerdictAction["action"] }>;
}

const LEE = "Jordan Lee 2026-03-03 10:00";

/**
 * The evaluation's tasks: several per number, each worded the way an assistant would brief a call. Every
 * task is distinct, so a model's requests can be told apart by the task in their instructions.
 */
export const SCENARIOS: EvalScenario[] = [
  {
    id: "desk-confirm",
    line: "0100",
    task: "Call to confirm Jordan Lee's appointment on Tuesday.",
    want: [{ action: "confirmed", appointment: LEE }],
  },
  {
    id: "desk-reschedule",
    line: "0100",
    task: "Call to move Maria Lopez's appointment on Wednesday to Thursday if possible.",
    want: [{ action: "rescheduled", appointment: "Maria Lopez 2026-03-04 14:30", to: "2026-03-05 14:00" }],
  },
  {
    id: "desk-cancel",
    line: "0100",
    task: "Call to cancel Chris Taylor's appointment on Friday, March 6th.",
    want: [{ action: "cancelled", appointment: "Chris Taylor 2026-03-06 09:00" }],
  },
  {
    id: "desk-hours",
    line: "0100",
    task: "Call to ask the dental office about their opening hours.",
    want: [{ action: "answered", topic: "hours" }],
  },
  {
    id: "desk-insurance",
    line: "0100",
    task: "Call to ask whether the dental office accepts Delta Dental insurance.",
    want: [{ action: "answered", topic: "insurance" }],
  },
  {
    id: "desk-parking",
    line: "0100",
    task: "Call to ask the dental office where patients can park.",
    want: [{ action: "answered", topic: "parking" }],
  },
  {
    id: "desk-out-of-scope",
    line: "0100",
    task: "Call to ask about a refund on the last dental bill, and accept it if they cannot help.",
    want: [],
  },
  {
    id: "clinic-missing-birth-date",
    line: "0111",
    task: "Call to confirm Jordan Lee's clinic appointment on Tuesday.",
    want: [{ action: "needs_info", what: "date of birth" }],
  },
  {
    id: "clinic-callback-with-birth-date",
    line: "0111",
    task: "Call to confirm Jordan Lee's clinic appointment on Tuesday. Jordan Lee's date of birth is April 12, 1985.",
    want: [{ action: "confirmed", appointment: LEE }],
  },
  {
    id: "menu-confirm",
    line: "0109",
    task: "Call to confirm Jordan Lee's appointment on Tuesday through the appointments line.",
    want: [
      { action: "menu_choice", digit: "1" },
      { action: "confirmed", appointment: LEE },
    ],
  },
  {
    id: "menu-cancel",
    line: "0109",
    task: "Call to cancel Maria Lopez's appointment on Wednesday, March 4th.",
    want: [{ action: "menu_choice", digit: "1" }, { action: "cancelled" }],
  },
  {
    id: "hold-report",
    line: "0110",
    task: "Call City Utilities to report a street light that is out on Elm Street.",
    want: [{ action: "handled" }],
  },
  {
    id: "hold-meter",
    line: "0110",
    task: "Call to ask City Utilities to send someone to read the water meter at 12 Oak Lane.",
    want: [{ action: "handled" }],
  },
  {
    id: "screener-package",
    line: "0113",
    task: "Call to tell Taylor that the package arrived at the front desk.",
    want: [{ action: "put_through" }, { action: "handled" }],
  },
  {
    id: "screener-meeting",
    line: "0113",
    task: "Call on behalf of Jordan Lee to say the team meeting moved to Friday.",
    want: [{ action: "put_through" }, { action: "handled" }],
  },
  {
    id: "interrupter-order",
    line: "0114",
    task: "Call to let them know their order is ready for pickup.",
    want: [{ action: "handled" }],
  },
  {
    id: "interrupter-delivery",
    line: "0114",
    task: "Call on behalf of Jordan Lee to say the delivery will come on Monday.",
    want: [{ action: "handled" }],
  },
  {
    id: "voicemail-appointment",
    line: "0108",
    task: "Call to remind Alex about the dentist appointment on Tuesday. If you reach voicemail, leave a message.",
    want: [{ action: "message", complete: true, states_purpose: true }],
  },
  {
    id: "voicemail-book",
    line: "0108",
    task: "Call to tell Alex the library book is due on Friday; leave a voicemail if nobody answers.",
    want: [{ action: "message", complete: true, states_purpose: true }],
  },
  {
    id: "bridge-connects",
    line: "0100",
    bridge: "0112",
    task: "Call to confirm Jordan Lee's appointment on Tuesday, and once it is confirmed, connect me.",
    want: [{ action: "confirmed", appointment: LEE }],
  },
  {
    id: "bridge-unanswered",
    line: "0100",
    bridge: "0117",
    task: "Call to confirm Jordan Lee's appointment on Tuesday, then connect me to finish up.",
    want: [{ action: "confirmed", appointment: LEE }],
  },
  {
    id: "wrong-number",
    line: "0199",
    task: "Call to confirm Jordan Lee's dental cleaning on Tuesday.",
    want: [],
  },
  {
    id: "silent-line",
    line: "0115",
    task: "Call to confirm Jordan Lee's eye exam on Tuesday.",
    want: [],
  },
];

/** True when the callee did what the scenario needs (each wanted action, by the fields it names). */
export function jobDone(scenario: EvalScenario, verdict: SandboxVerdict | undefined): boolean {
  if (verdict === undefined) return false;
  if (scenario.want.length === 0) return verdict.nothing_done !== null;
  return scenario.want.every((want) =>
    verdict.actions.some((done) =>
      Object.entries(want).every(([key, value]) => (done as Record<string, unknown>)[key] === value),
    ),
  );
}
