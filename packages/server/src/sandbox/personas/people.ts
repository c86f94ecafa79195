import { CLINIC_PATIENT } from "./facts.ts";
import { type Request, sameDate, understand } from "./intents.ts";
import type { LineKey } from "./lines.ts";
import type { Mind, Reaction } from "./mind.ts";
import type { VerdictLog } from "./verdict.ts";

/**
 * 0111's receptionist: needs the purpose, the patient's name and the date of birth, in that order. A
 * caller without the date of birth is told the appointment cannot be looked up.
 */
export class BirthDateDesk implements Mind {
  private request: Request | null = null;
  private purpose = false;
  private named = false;
  private birthDateAsked = 0;
  private verified = false;
  private toldMissing = false;
  private purposeAsked = 0;

  constructor(private readonly log: VerdictLog) {
    log.lacks("the purpose of the call was never stated");
  }

  turn(heard: string): Reaction {
    const u = understand(heard, [CLINIC_PATIENT.patient]);
    if (u.requests[0]) this.request = u.requests[0];
    this.purpose ||= u.reason;
    this.named ||= u.people.length > 0;
    const birth = u.dates.filter((d) => d.year !== undefined || sameDate(d, CLINIC_PATIENT.birthDate));
    if (birth.some((d) => sameDate(d, CLINIC_PATIENT.birthDate))) this.verified = true;
    const pending =
      this.purpose && !this.toldMissing && !this.log.has("confirmed") && !this.log.has("cancelled");

    if (u.closing && !(pending && this.verified)) return { say: ["clinicGoodbye"], end: true };
    if (!this.purpose) {
      // A caller that cannot say what it wants after being asked three times is let go.
      if (++this.purposeAsked > 3) return { say: ["clinicGoodbye"], end: true };
      return { say: ["clinicAskPurpose"] };
    }
    if (!this.named) {
      this.log.lacks("the patient's name was never given");
      return { say: ["clinicAskName"] };
    }
    if (!this.verified) {
      this.log.lacks("the date of birth was never given");
      if (birth.length > 0 && this.birthDateAsked < 2) {
        this.birthDateAsked++;
        return { say: ["clinicWrongBirthDate", "clinicAskBirthDate"] };
      }
      if (this.birthDateAsked > 0 && (u.lacks || this.birthDateAsked >= 2)) {
        if (!this.toldMissing) this.log.did({ action: "needs_info", what: "date of birth" });
        this.toldMissing = true;
        return { say: ["clinicNoBirthDate"] };
      }
      this.birthDateAsked++;
      return { say: ["clinicAskBirthDate"] };
    }
    if (!pending) return { say: ["clinicGoodbye"], end: true };
    const appointment = `${CLINIC_PATIENT.patient} 2026-03-03 10:00`;
    if (this.request === "cancel") {
      this.log.did({ action: "cancelled", appointment });
      return { say: ["clinicCancelled"] };
    }
    this.log.did({ action: "confirmed", appointment });
    return { say: ["clinicConfirmed"] };
  }
}

/**
 * The person after a hold queue (0110) or a screener (0113): takes care of whatever the caller says it
 * wants, but only once it has said what that is.
 */
export class DeskPerson implements Mind {
  private asks = 0;

  constructor(
    private readonly log: VerdictLog,
    private readonly helped: LineKey = "personHelp",
  ) {}

  turn(heard: string): Reaction {
    const u = understand(heard);
    if (this.log.has("handled")) return { say: ["personGoodbye"], end: true };
    if (u.reason) {
      this.log.did({ action: "handled" });
      return { say: [this.helped] };
    }
    this.log.lacks("the purpose of the call was never stated");
    if (u.closing || ++this.asks >= 3) return { say: ["personNotSure"], end: true };
    return { say: ["personAskPurpose"] };
  }
}

/** 0113's screening service: puts the caller through only once it said both who it is and why it calls. */
export class Screener implements Mind {
  private identity = false;
  private reason = false;
  private repeated = false;

  constructor(private readonly log: VerdictLog) {
    log.lacks("the screener was never answered");
  }

  /** True once the caller may be put through. */
  get passed(): boolean {
    return this.identity && this.reason;
  }

  turn(heard: string): Reaction {
    const u = understand(heard);
    this.identity ||= u.identity;
    this.reason ||= u.reason;
    if (this.passed) {
      this.log.did({ action: "put_through" });
      return { say: ["screenerHold"] };
    }
    const why = this.identity ? "the caller never said why it called" : "the caller never said who it is";
    this.log.lacks(why);
    if (!this.repeated) {
      this.repeated = true;
      return { say: ["screenerRepeat"] };
    }
    this.log.did({ action: "declined", why });
    return { say: ["screenerDecline"], end: true };
  }
}

/**
 * 0114's person after its one interruption ("who is this?"): wants to know who calls, then why; lets
 * the agent finish, and reacts to the answer.
 */
export class Interrupted implements Mind {
  private identity = false;
  private reason = false;
  private turns = 0;

  constructor(private readonly log: VerdictLog) {
    log.lacks("the purpose of the call was never stated");
  }

  turn(heard: string): Reaction {
    const u = understand(heard);
    this.identity ||= u.identity;
    this.reason ||= u.reason;
    this.turns++;
    if (this.identity && this.reason) {
      this.log.did({ action: "handled" });
      return { say: ["interrupterGotIt"], end: true };
    }
    if (this.turns >= 3 || u.closing) return { say: ["interrupterBye"], end: true };
    if (!this.identity) {
      this.log.lacks("the caller never said who it is");
      return { say: ["interrupterStillWho"] };
    }
    return { say: ["interrupterGoAhead"] };
  }
}
