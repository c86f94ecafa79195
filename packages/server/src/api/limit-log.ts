import type { Logger } from "../observability/logger.ts";
import { SampledLog } from "../observability/sampled-log.ts";

/** One warn line when a limit refuses a client, sampled per (limit, client) and minute. */
export class LimitLog {
  private readonly log: SampledLog;

  constructor(logger: Logger, windowMs?: number, now?: () => number) {
    this.log = new SampledLog(logger, windowMs, now);
  }

  /** `client` is an address group (never a key or a number); `limit` names the limit that tripped. */
  trip(limit: string, client: string): void {
    this.log.warn(`${limit} ${client}`, { limit, client }, "limit reached: client refused");
  }
}
