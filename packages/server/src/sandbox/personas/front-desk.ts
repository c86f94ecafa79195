import { APPOINTMENTS, type Appointment, describeWhen, OPEN_SLOTS, type Slot, WEEKDAY_OF } from "./facts.ts";
import { type OfficeTopic, type Request, sameDate, type Understood, understand } from "./intents.ts";
import type { LineKey } from "./lines.ts";
import type { Mind, Reaction } from "./mind.ts";
import type { VerdictLog } from "./verdict.ts";

const TOPIC_LINES: Record<OfficeTopic, LineKey> = {
  hours: "deskHours",
  address: "deskAddress",
  parking: "deskParking",
  insurance: "deskInsurance",
  cancellation_policy: "deskCancellationPolicy",
};

const PATIENTS = APPOINTMENTS.map((a) => a.patient);
/** Turns with nothing usable before the desk gives up, and times it asks for the same thing. */
const PATIENCE = 3;

/** True when the words point at this date and time (any of day, date or time, none contradicting). */
function pointsAt(u: Understood, when: { date: Appointment["date"]; time: number }): boolean {
  const weekday = WEEKDAY_OF[`${when.date.month}-${when.date.day}`];
  const dateOk = u.dates.length === 0 || u.dates.some((d) => sameDate(d, when.date));
  const dayOk = u.weekdays.length === 0 || u.weekdays.some((d) => d === weekday);
  const timeOk = u.times.length === 0 || u.times.includes(when.time);
  const anything = u.dates.length + u.weekdays.length + u.times.length > 0;
  return anything && dateOk && dayOk && timeOk;
}

/**
 * 0100's receptionist (and the appointments desk behind the 0109 menu): a small appointment book and
 * the office's facts. Confirms, moves (to a free slot it offers) or cancels only once it knows the
 * patient and which appointment; answers office questions from its facts; says when something is not
 * the front desk's business; asks if there is anything else; says goodbye.
 */
export class FrontDesk implements Mind {
  private patient: Appointment | null = null;
  private identified = false;
  private request: Request | null = null;
  private offered = false;
  private readonly answered = new Set<OfficeTopic>();
  private asked: LineKey | null = null;
  private repeats = 0;

  constructor(private readonly log: VerdictLog) {
    log.lacks("the purpose of the call was never stated");
  }

  turn(heard: string): Reaction {
    const u = understand(heard, PATIENTS);
    const say: LineKey[] = [];
    for (const topic of u.topics) {
      say.push(TOPIC_LINES[topic]);
      if (!this.answered.has(topic)) this.log.did({ action: "answered", topic });
      this.answered.add(topic);
    }
    const named = APPOINTMENTS.find((a) => u.people.includes(a.patient));
    if (named && named !== this.patient) {
      this.patient = named;
      this.identified = false;
    }
    const foundAsked = this.asked?.startsWith("book.found.") ?? false;
    if (this.patient && (pointsAt(u, this.patient) || (foundAsked && (u.affirm || u.requests.length > 0))))
      this.identified = true;
    if (u.requests[0]) this.request = u.requests[0];

    if (u.closing && this.request === null) return this.end(say, "deskGoodbye");
    if (this.request !== null) return this.ask([...say, ...this.pursue(u)]);
    if (this.patient && !this.identified) return this.ask([...say, `book.found.${this.patient.id}`]);
    if (this.patient && this.identified) return this.ask([...say, "deskWhatToDo"]);
    if (say.length > 0) return this.ask([...say, "deskAnythingElse"]);
    if (u.outOfScope) {
      this.log.lacks("what the caller wanted is not the front desk's business");
      return this.ask(["deskOutOfScope", "deskAnythingElse"]);
    }
    return this.ask(["deskAskPurpose"]);
  }

  /** The request is known: what is still missing, or the act itself. */
  private pursue(u: Understood): LineKey[] {
    const p = this.patient;
    if (p === null) {
      this.log.lacks("the patient's name was never given");
      return ["deskAskName"];
    }
    if (!this.identified) {
      this.log.lacks("which appointment was never settled");
      return [`book.found.${p.id}`];
    }
    const appointment = `${p.patient} ${describeWhen(p.date, p.time)}`;
    switch (this.request) {
      case "confirm":
        this.log.did({ action: "confirmed", appointment });
        return this.done(`book.confirmed.${p.id}`);
      case "cancel":
        this.log.did({ action: "cancelled", appointment });
        return this.done(`book.cancelled.${p.id}`);
      default: {
        const slot: Slot | undefined = this.offered ? OPEN_SLOTS.find((s) => pointsAt(u, s)) : undefined;
        if (slot === undefined) {
          this.offered = true;
          this.log.lacks("no new time was chosen");
          return ["deskOfferSlots"];
        }
        this.log.did({ action: "rescheduled", appointment, to: describeWhen(slot.date, slot.time) });
        return this.done(`book.moved.${p.id}.${slot.id}`);
      }
    }
  }

  private done(line: LineKey): LineKey[] {
    this.request = null;
    this.offered = false;
    return [line];
  }

  /** Says the lines; asking for the same thing too often ends the call. */
  private ask(say: LineKey[]): Reaction {
    const last = say.at(-1) ?? null;
    this.repeats = last !== null && last === this.asked ? this.repeats + 1 : 0;
    this.asked = last;
    if (this.repeats >= PATIENCE - 1) return this.end([], "deskGoodbye");
    return { say };
  }

  private end(say: LineKey[], goodbye: LineKey): Reaction {
    return { say: [...say, goodbye], end: true };
  }
}
