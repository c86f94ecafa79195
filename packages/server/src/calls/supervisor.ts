import type { Logger } from "../observability/logger.ts";
import type { CallService } from "./call-service.ts";
import type { EndInfo } from "./outcomes.ts";
import { Settlement } from "./settlement.ts";

export interface SupervisorSettings {
  nodeId: string;
  /** Single-process storage (SQLite): every unfinished call at start-up was left by a dead process. */
  singleNode: boolean;
  reaperIntervalSeconds: number;
  maxCallSeconds: number;
  /** How long a call may ring before the service gives up on the carrier. */
  maxRingSeconds: number;
}

/**
 * After a crash, an answered call is billed up to its last heartbeat: at this interval a killed call
 * misses less than a second of talk (one UPDATE for all of a node's calls per tick).
 */
const HEARTBEAT_MS = 500;
/** A call whose owner has not been heard from for this long is an orphan of a dead node. */
const ORPHAN_AFTER_MS = 30_000;

/**
 * Keeps every call moving to a final state: meters answered calls against their balance and maximum
 * length each second, records heartbeats, finalizes calls left by a crashed process, and reaps anything
 * stuck past its limits.
 */
export class CallSupervisor {
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly calls: CallService,
    private readonly settings: SupervisorSettings,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => {
        fn().catch((err) => this.logger.error({ err }, "call supervisor task failed"));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(1_000, () => this.meter());
    every(HEARTBEAT_MS, () => this.heartbeat());
    every(this.settings.reaperIntervalSeconds * 1000, () => this.reap());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /**
   * Ends answered calls whose maximum length is reached, and every call of a wallet whose balance is used
   * up by its calls in progress together (one balance can pay for several calls at once).
   */
  async meter(nowMs = Date.now()): Promise<void> {
    const byWallet = new Map<string, ReturnType<CallService["meteredCalls"]>>();
    for (const call of this.calls.meteredCalls()) {
      if ((nowMs - call.answeredAtMs) / 1000 >= this.settings.maxCallSeconds) {
        await this.calls.endBySystem(call.id, { cause: "max_duration", source: "system", answered: true });
        continue;
      }
      byWallet.set(call.wallet, [...(byWallet.get(call.wallet) ?? []), call]);
    }
    for (const [wallet, calls] of byWallet) {
      const balance = await this.calls.balanceOfWallet(wallet);
      const used = calls.reduce((sum, c) => sum + Settlement.talkSoFar(c, nowMs), 0);
      if (used < balance) continue;
      for (const c of calls) {
        await this.calls.endBySystem(c.id, { cause: "balance_exhausted", source: "system", answered: true });
      }
    }
  }

  async heartbeat(now = new Date()): Promise<void> {
    await this.calls.store.touch(this.calls.activeIds(), now);
  }

  /**
   * At start-up: calls this node (or, on single-node storage, any node) left unfinished cannot be
   * resumed, so they are finalized honestly and their talk time, up to the last heartbeat, is settled.
   */
  async recover(): Promise<number> {
    const rows = await this.calls.store.unfinished(
      this.settings.singleNode ? undefined : this.settings.nodeId,
    );
    for (const r of rows) {
      await this.calls.finalize(
        r.id,
        { cause: "process_restart", source: "system", answered: r.answered_at !== null },
        new Date(r.last_seen_at),
      );
    }
    if (rows.length > 0)
      this.logger.warn({ count: rows.length }, "finalized calls left by a previous process");
    return rows.length;
  }

  /** Finalizes calls stuck past their limits, and calls orphaned by a node that stopped heartbeating. */
  async reap(nowMs = Date.now()): Promise<number> {
    const rows = await this.calls.store.unfinished();
    let reaped = 0;
    for (const r of rows) {
      const mine = this.calls.isActive(r.id);
      const orphaned = !mine && nowMs - Date.parse(r.last_seen_at) > ORPHAN_AFTER_MS;
      const since = (iso: string | null) => (iso ? (nowMs - Date.parse(iso)) / 1000 : 0);
      const stuck =
        (r.state === "queued" && since(r.queued_at) > 120) ||
        (r.state === "ringing" && since(r.dialing_at) > this.settings.maxRingSeconds + 60) ||
        (r.state === "in_progress" && since(r.answered_at) > this.settings.maxCallSeconds + 120);
      if (!orphaned && !stuck) continue;
      const endedAt = orphaned ? new Date(r.last_seen_at) : new Date(nowMs);
      const info: EndInfo = {
        cause: orphaned ? "process_restart" : "stuck",
        source: "system",
        answered: r.answered_at !== null,
      };
      if (mine) await this.calls.endBySystem(r.id, info);
      else await this.calls.finalize(r.id, info, endedAt);
      reaped++;
    }
    if (reaped > 0) this.logger.warn({ count: reaped }, "reaper finalized stuck calls");
    return reaped;
  }
}
