/**
 * Options for suites that hold calls in real time (8 kHz audio paced by the clock) and judge timing the way
 * a caller hears it. On a shared CI machine a scheduler stall of a second shifts every such timing, so each
 * test gets retries: a behaviour that is wrong fails every attempt, a stalled machine only one.
 */
export const REAL_TIME = { retry: 2 } as const;
