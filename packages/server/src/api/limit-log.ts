import type { Logger } from "../observability/logger.ts";

/**
 * One warn line when a limit refuses a client, sampled: the first refusal of each (limit, client) in a
 * minute is logged, with how many were not logged in the minute before. An attack that trips a limit
 * thousands of times a second must not become a flood of log lines itself.
 */
export class LimitLog {
  private seen = new Map<string, number>();
  private windowStart = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `client` is an address group (never a key or a number); `limit` names the limit that tripped. */
  trip(limit: string, client: string): void {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      if (this.suppressed > 0)
        this.logger.warn(
          { suppressed: this.suppressed },
          "limits refused more clients (not logged one by one)",
        );
      this.seen = new Map();
      this.windowStart = t;
      this.suppressed = 0;
    }
    const id = `${limit} ${client}`;
    const count = this.seen.get(id) ?? 0;
    this.seen.set(id, count + 1);
    if (count === 0) this.logger.warn({ limit, client }, "limit reached: client refused");
    else this.suppressed++;
  }
}
