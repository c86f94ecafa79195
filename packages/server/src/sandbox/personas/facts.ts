import type { CalendarDate } from "./numbers.ts";

/** A booked appointment, with the words a receptionist reads it out in (numbers spelled out). */
export interface Appointment {
  id: string;
  patient: string;
  date: CalendarDate & { year: number };
  /** Minutes after midnight. */
  time: number;
  provider: string;
  spoken: string;
}

/** A free slot a receptionist may offer when moving an appointment. */
export interface Slot {
  id: string;
  date: CalendarDate & { year: number };
  time: number;
  spoken: string;
}

// 2026: March 3rd is a Tuesday.
const day = (month: number, d: number) => ({ month, day: d, year: 2026 });

/** 0100 (and the appointments desk behind 0109): Maple Street Dental's appointment book. */
export const APPOINTMENTS: readonly Appointment[] = [
  {
    id: "lee",
    patient: "Jordan Lee",
    date: day(3, 3),
    time: 10 * 60,
    provider: "Doctor Brown",
    spoken: "Tuesday, March third, at ten in the morning with Doctor Brown",
  },
  {
    id: "lopez",
    patient: "Maria Lopez",
    date: day(3, 4),
    time: 14 * 60 + 30,
    provider: "Doctor Green",
    spoken: "Wednesday, March fourth, at two thirty in the afternoon with Doctor Green",
  },
  {
    id: "taylor",
    patient: "Chris Taylor",
    date: day(3, 6),
    time: 9 * 60,
    provider: "Doctor Brown",
    spoken: "Friday, March sixth, at nine in the morning with Doctor Brown",
  },
];

export const OPEN_SLOTS: readonly Slot[] = [
  { id: "thu", date: day(3, 5), time: 14 * 60, spoken: "Thursday, March fifth, at two in the afternoon" },
  { id: "mon", date: day(3, 9), time: 11 * 60, spoken: "Monday, March ninth, at eleven in the morning" },
];

export const WEEKDAY_OF: Record<string, string> = {
  "3-3": "tuesday",
  "3-4": "wednesday",
  "3-5": "thursday",
  "3-6": "friday",
  "3-9": "monday",
};

/** 0111: Riverside Medical Clinic checks a patient's date of birth before anything else. */
export const CLINIC_PATIENT = {
  patient: "Jordan Lee",
  birthDate: { month: 4, day: 12, year: 1985 },
  appointment: "Tuesday, March third, at ten in the morning",
} as const;

/** How a verdict names an appointment or slot: "Jordan Lee 2026-03-03 10:00". */
export function describeWhen(date: CalendarDate & { year: number }, time: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.year}-${pad(date.month)}-${pad(date.day)} ${pad(Math.floor(time / 60))}:${pad(time % 60)}`;
}
