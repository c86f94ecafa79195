import type { ActiveCall } from "./active-call.ts";
import { reportOf, resultEvent } from "./call-result.ts";
import type { CallServiceDeps } from "./call-service.ts";
import { CallStore, type FinalFields } from "./call-store.ts";
import type { HeldCalls } from "./held-calls.ts";
import { type EndInfo, finalOutcome } from "./outcomes.ts";
import { isTerminal, statusEvent } from "./states.ts";

/**
 * Takes a call to its final state and settles its minutes, in one transaction: the row becomes `ended`
 * and the talk time is debited once. Whatever ends a call (carrier, caller, reaper, restart) comes here.
 */
export class Settlement {
  constructor(
    private readonly deps: Pick<
      CallServiceDeps,
      "db" | "billing" | "live" | "pool" | "limits" | "logger" | "metrics" | "hooks"
    >,
    private readonly held: HeldCalls,
  ) {}

  /** Seconds of talk between answer and end, rounded up: a started second is a metered second. */
  static talkSeconds(answeredAt: string | null, endedAtMs: number): number | null {
    if (answeredAt === null) return null;
    return Math.max(0, Math.ceil((endedAtMs - Date.parse(answeredAt)) / 1000));
  }

  /** Talk seconds an answered call in progress has used so far (rounded up, as it will be metered). */
  static talkSoFar(call: Pick<ActiveCall, "answeredAtMs">, nowMs: number): number {
    return call.answeredAtMs === null ? 0 : Math.ceil((nowMs - call.answeredAtMs) / 1000);
  }

  async finalize(callId: string, info: EndInfo, endedAt = new Date()): Promise<boolean> {
    const { db, billing, live, pool, limits, metrics } = this.deps;
    const held = this.held.get(callId);
    if (held) held.finalizing = true;
    const settled = await db.transaction().execute(async (tx) => {
      const calls = new CallStore(tx);
      const row = await calls.get(callId);
      if (!row || isTerminal(row.state)) return null;
      const answered = row.answered_at !== null;
      const result = finalOutcome({ ...info, answered });
      const talk = Settlement.talkSeconds(row.answered_at, endedAt.getTime());
      const report = reportOf(row.to_number, result, answered, held?.report ?? null);
      const final: FinalFields = {
        result: JSON.stringify(report),
        fail_reason: result.failReason,
        outcome: result.outcome,
        outcome_detail: JSON.stringify(result.detail),
        talk_seconds: talk,
        finalized_at: endedAt.toISOString(),
        last_seen_at: endedAt.toISOString(),
      };
      // Two finalizations at once (the carrier's hang-up and the reaper, on PostgreSQL) both read the call
      // live; the one whose update finds it final already settles nothing, and reports nothing twice.
      if (!(await calls.end(callId, final))) return null;
      // A call the service itself failed (no agent, stuck) is not charged.
      let charged = result.outcome === "system_error" ? 0 : (talk ?? 0);
      // A free key's call that rang out (or was cancelled while ringing) held a line all that time: it
      // counts against the free allowance, so ringing numbers nobody answers is not a free way to hold
      // every line. Whole seconds only, and never past what is left.
      if (
        limits.freeRingCounts &&
        !answered &&
        row.wallet.startsWith("key:") &&
        (result.outcome === "no_answer" || result.outcome === "cancelled")
      ) {
        const rang = Math.floor((endedAt.getTime() - Date.parse(row.dialing_at ?? row.queued_at)) / 1000);
        charged = Math.min(Math.max(0, rang), Math.max(0, await billing.ledger.balance(row.wallet, tx)));
      }
      if (charged > 0) await billing.ledger.debitCall(row.wallet, callId, charged, endedAt, tx);
      // In the same transaction, so no crash can leave an ended call holding its number.
      await pool.releaseCall(callId, tx);
      // The final event is written with the final state: no crash can leave one without the other.
      await this.deps.hooks?.finalized(tx, { ...row, ...final, state: "ended" }, endedAt);
      return { row, result, talk: charged, report };
    });
    this.held.release(callId);
    if (!settled) return false;
    metrics.callsFinalized.inc({ outcome: settled.result.outcome });
    if (settled.talk) metrics.secondsDebited.inc(settled.talk);
    await live.expireAfter(callId, limits.transcriptTtlSeconds);
    const { failReason, outcome } = settled.result;
    await live.publish(callId, resultEvent(settled.report));
    await live.publish(callId, statusEvent({ state: "ended", fail_reason: failReason, outcome }, endedAt));
    return true;
  }

  /**
   * Talk seconds the wallet still covers for this call: the balance less what the wallet's other answered
   * calls have used so far, capped by the maximum call length.
   */
  async remainingFor(call: ActiveCall, nowMs = Date.now()): Promise<number> {
    const balance = await this.deps.billing.ledger.balance(call.wallet);
    let othersUsed = 0;
    for (const other of this.held.values()) {
      if (other.id !== call.id && other.wallet === call.wallet)
        othersUsed += Settlement.talkSoFar(other, nowMs);
    }
    return Math.max(0, Math.min(this.deps.limits.maxCallSeconds, balance - othersUsed));
  }
}
