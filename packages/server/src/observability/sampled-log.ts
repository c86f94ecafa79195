import type { Logger } from "./logger.ts";

/**
 * Warn lines for events an attacker can cause at will (refused requests, forged webhooks), sampled: the
 * first line of each kind in a minute is written, the rest are counted and reported in one line when the
 * next minute starts. Otherwise the attack becomes a flood of log lines itself.
 */
export class SampledLog {
  private seen = new Map<string, number>();
  private windowStart = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `kind` decides what counts as "the same line"; it is not logged. */
  warn(kind: string, fields: Record<string, unknown>, message: string): void {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      if (this.suppressed > 0)
        this.logger.warn(
          { suppressed: this.suppressed },
          "more lines like the above were not logged one by one",
        );
      this.seen = new Map();
      this.windowStart = t;
      this.suppressed = 0;
    }
    const count = this.seen.get(kind) ?? 0;
    this.seen.set(kind, count + 1);
    if (count === 0) this.logger.warn(fields, message);
    else this.suppressed++;
  }
}
