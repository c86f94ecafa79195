/** Failed sign-ins an email gets before each further failure makes it wait. */
const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 1_000;
const MAX_WAIT_MS = 15 * 60_000;
/** A quiet email's failures are forgotten after this long. */
const FORGET_AFTER_MS = 60 * 60_000;
const MAX_TRACKED = 100_000;

interface Failures {
  count: number;
  last: number;
  until: number;
}

/**
 * Per-account sign-in throttling with exponential backoff: after five failures each further one doubles
 * the wait (1 s, 2 s, 4 s … 15 min) before the next attempt is even checked. It keys on the email as
 * typed (normalized), whether or not an account has it, so the answer never tells which emails exist.
 * Per node and in memory: N nodes allow N times the attempts, still a tiny fraction of what guessing needs.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before this email may try again, or 0. */
  retryAfter(email: string): number {
    const f = this.failures.get(normalize(email));
    if (!f) return 0;
    const left = f.until - this.now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  failed(email: string): void {
    const t = this.now();
    this.forgetStale(t);
    const key = normalize(email);
    const f = this.failures.get(key) ?? { count: 0, last: t, until: 0 };
    f.count++;
    f.last = t;
    const over = f.count - FREE_FAILURES;
    if (over > 0) f.until = t + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (over - 1));
    this.failures.set(key, f);
  }

  succeeded(email: string): void {
    this.failures.delete(normalize(email));
  }

  private forgetStale(t: number) {
    if (this.failures.size < MAX_TRACKED) return;
    for (const [k, f] of this.failures)
      if (t - f.last > FORGET_AFTER_MS && f.until <= t) this.failures.delete(k);
  }
}

const normalize = (email: string) => email.trim().toLowerCase();
