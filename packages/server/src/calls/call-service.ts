import { randomUUID } from "node:crypto";
import type { CallRequest, CallStatus, ErrorCode, TranscriptEntry } from "@clawcall/contract";
import type { Billing } from "../billing/billing.ts";
import { type ApiKeyRecord, walletOf } from "../billing/keys.ts";
import type { Config } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Db } from "../store/database.ts";
import type { LiveStore } from "../store/live-store.ts";
import type { CallTable } from "../store/schema.ts";
import { type Carrier, type CarrierEvent, DialRefusedError } from "../telephony/carrier.ts";
import type { ActiveCall } from "./active-call.ts";
import type { CallSignal, ConversationEngine, LatencySummary } from "./conversation.ts";
import { startConversation } from "./conversation-runner.ts";
import type { NumberPool } from "./number-pool.ts";
import type { EndInfo } from "./outcomes.ts";
import { Settlement } from "./settlement.ts";
import { type CallState, canTransition, lifecycleOf, statusOf } from "./states.ts";

export interface CallServiceDeps {
  db: Db;
  billing: Billing;
  carrier: Carrier;
  live: LiveStore;
  pool: NumberPool;
  engine: ConversationEngine;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  nodeId: string;
}

export type PlaceResult =
  | { ok: true; call: CallTable }
  | { ok: false; code: ErrorCode; message: string; retryAfterSeconds?: number };

/**
 * Owns calls from admission to their final state: admits and dials, applies carrier events to the state
 * machine, hands answered calls to the conversation engine, and settles them through the ledger.
 */
export class CallService {
  readonly active = new Map<string, ActiveCall>();
  readonly settlement: Settlement;
  private readonly eventChains = new Map<string, Promise<void>>();

  constructor(private readonly deps: CallServiceDeps) {
    this.settlement = new Settlement(deps, this.active, (callId) => deps.engine.release?.(callId));
    // Events of one call are applied in arrival order, each after the previous one finished: handlers
    // await storage, and e.g. the media stream must not overtake the answer it belongs to.
    deps.carrier.onEvent((event) => {
      const previous = this.eventChains.get(event.callId) ?? Promise.resolve();
      const next = previous
        .then(() => this.onCarrierEvent(event))
        .catch((err) =>
          deps.logger.error({ err, callId: event.callId, event: event.type }, "carrier event failed"),
        )
        .finally(() => {
          if (this.eventChains.get(event.callId) === next) this.eventChains.delete(event.callId);
        });
      this.eventChains.set(event.callId, next);
    });
  }

  /** Listens for requests from other nodes to act on the calls this node owns. */
  async listenForControl(): Promise<void> {
    await this.deps.live.onControl(this.deps.nodeId, (message) => {
      if (message.type === "hangup" && this.active.has(message.callId)) {
        this.hangup(message.callId).catch((err) =>
          this.deps.logger.error({ err, callId: message.callId }, "remote hangup failed"),
        );
      }
    });
  }

  /** Admission and dial. Validation and authentication already happened in the API layer. */
  /** `callId` is chosen by the caller when a retry of the same placement must find the same call. */
  async place(
    key: ApiKeyRecord,
    request: CallRequest,
    now = new Date(),
    callId: string = randomUUID(),
  ): Promise<PlaceResult> {
    const { db, billing, pool, carrier, config, live } = this.deps;
    const wallet = walletOf(key);
    const balance = await billing.ledger.balance(wallet);
    if (balance <= 0) {
      return key.account_id
        ? {
            ok: false,
            code: "balance_depleted",
            message: "This account has no call time left. Buy more minutes to keep calling.",
          }
        : {
            ok: false,
            code: "quota_exceeded",
            message: "The free call minutes of this key are used up. Sign up or sign in to keep calling.",
          };
    }
    const inFlight = await db
      .selectFrom("calls")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("key_id", "=", key.id)
      .where("state", "!=", "ended")
      .executeTakeFirst();
    if (Number(inFlight?.n ?? 0) >= config.limits.maxActiveCallsPerKey) {
      return {
        ok: false,
        code: "too_many_active_calls",
        message: `This key already has ${config.limits.maxActiveCallsPerKey} call(s) in progress. Wait for one to finish.`,
        retryAfterSeconds: 15,
      };
    }
    const from = await pool.acquire(callId, now);
    if (from === null) {
      return {
        ok: false,
        code: "number_pool_exhausted",
        message: "All outbound lines are busy. Wait 15 seconds and try again.",
        retryAfterSeconds: 15,
      };
    }

    const row: CallTable = {
      id: callId,
      key_id: key.id,
      wallet,
      state: "queued",
      to_number: request.to,
      from_number: from,
      task: request.task,
      personality: request.personality ?? null,
      greeting: request.greeting ?? null,
      voice: request.voice ?? "jessica",
      has_bridge: request.bridge_number ? 1 : 0,
      fail_reason: null,
      outcome: null,
      outcome_detail: null,
      talk_seconds: null,
      queued_at: now.toISOString(),
      dialing_at: null,
      answered_at: null,
      finalized_at: null,
      last_seen_at: now.toISOString(),
      owner_node: this.deps.nodeId,
      recording_url: null,
      recording_expires_at: null,
      meta: null,
    };
    try {
      await db.insertInto("calls").values(row).execute();
    } catch (err) {
      await pool.release(from, callId);
      throw err;
    }
    await live.open(row.id);
    this.active.set(row.id, {
      id: row.id,
      keyId: key.id,
      wallet,
      from,
      request,
      bridgeNumber: request.bridge_number ?? null,
      answeredAtMs: null,
      answeredBy: "unknown",
      signalListener: null,
      pendingSignals: [],
      budgetSeconds: balance,
      controller: new AbortController(),
      pendingEnd: null,
    });
    this.deps.metrics.callsPlaced.inc();
    this.deps.metrics.activeCalls.set(this.active.size);

    try {
      await carrier.dial({
        callId: row.id,
        to: request.to,
        from,
        ringTimeoutSeconds: 30,
        record: true,
      });
    } catch (err) {
      const refused = err instanceof DialRefusedError;
      if (!refused) this.deps.logger.error({ err, callId: row.id }, "dial failed");
      await this.settlement.finalize(row.id, {
        cause: "dial_refused",
        source: "system",
        answered: false,
        carrierCause: refused ? err.carrierCode : undefined,
        message: refused ? undefined : "The carrier could not be reached to place the call.",
      });
      return {
        ok: false,
        code: "dial_failed",
        message: "The carrier refused to place the call. Nothing was charged; try again in a few seconds.",
      };
    }
    return { ok: true, call: row };
  }

  balanceOfWallet(wallet: string): Promise<number> {
    return this.deps.billing.ledger.balance(wallet);
  }

  /** The service's own caller numbers are never dialled. */
  ownsNumber(number: string): boolean {
    return this.deps.pool.has(number);
  }

  async get(callId: string): Promise<CallTable | undefined> {
    return this.deps.db.selectFrom("calls").selectAll().where("id", "=", callId).executeTakeFirst();
  }

  /** Ends or cancels a call at the caller's request. Idempotent. */
  async hangup(callId: string): Promise<void> {
    const row = await this.get(callId);
    if (!row || row.state === "ended") return;
    const active = this.active.get(callId);
    if (!active && row.owner_node !== this.deps.nodeId) {
      // Another node owns the call's carrier leg and conversation: ask it, and wait briefly for the result.
      await this.deps.live.sendControl(row.owner_node, { type: "hangup", callId });
      for (let i = 0; i < 40 && (await this.get(callId))?.state !== "ended"; i++)
        await new Promise((r) => setTimeout(r, 50));
      return;
    }
    const answered = row.state === "in_progress";
    const info: EndInfo = { cause: answered ? "normal" : "cancelled", source: "caller", answered };
    if (active) active.pendingEnd = info;
    await this.hangupAtCarrier(callId);
    // The carrier's hang-up event may never come (or come late): settle now, the event is then ignored.
    await this.settlement.finalize(callId, info);
  }

  /** Ends a call for a reason of the service's own (balance, length limit, agent unavailable). */
  async endBySystem(callId: string, info: EndInfo): Promise<void> {
    const active = this.active.get(callId);
    if (active) active.pendingEnd = info;
    await this.hangupAtCarrier(callId);
    await this.settlement.finalize(callId, info);
  }

  /** Hangs up at the carrier, then lets the events it reported on the way (a recording) be applied. */
  private async hangupAtCarrier(callId: string): Promise<void> {
    await this.deps.carrier
      .hangup(callId)
      .catch((err) => this.deps.logger.warn({ err, callId }, "carrier hangup failed"));
    await this.eventChains.get(callId);
  }

  async appendTranscript(callId: string, entry: Omit<TranscriptEntry, "timestamp">): Promise<void> {
    const full: TranscriptEntry = { ...entry, timestamp: new Date().toISOString() };
    await this.deps.live.appendTranscript(callId, full);
    await this.deps.live.publish(callId, { type: "transcript", entry: full });
  }

  /** Keeps the call's latency summary with its record (an extension field under `_meta`). */
  async recordLatency(callId: string, latency: LatencySummary): Promise<void> {
    const row = await this.get(callId);
    if (!row) return;
    const meta = { ...(row.meta ? JSON.parse(row.meta) : {}), latency };
    await this.deps.db
      .updateTable("calls")
      .set({ meta: JSON.stringify(meta) })
      .where("id", "=", callId)
      .execute();
    const { metrics } = this.deps;
    if (latency.turn_p50_ms !== null) metrics.turnLatency.observe(latency.turn_p50_ms / 1000);
    if (latency.barge_in_p50_ms !== null) metrics.bargeInLatency.observe(latency.barge_in_p50_ms / 1000);
  }

  /**
   * Exact stop for the common single-call case; the supervisor's meter covers shared balances. Stopping
   * just short of the budget keeps the rounded-up talk time within it.
   */
  private stopWhenBudgetEnds(active: ActiveCall): void {
    const timer = setTimeout(
      () => {
        if (active.pendingEnd) return;
        const cause =
          active.budgetSeconds >= this.deps.config.limits.maxCallSeconds
            ? "max_duration"
            : "balance_exhausted";
        void this.endBySystem(active.id, { cause, source: "system", answered: true });
      },
      Math.max(0, active.budgetSeconds * 1000 - 100),
    );
    timer.unref();
    active.controller.signal.addEventListener("abort", () => clearTimeout(timer));
  }

  private async transition(
    callId: string,
    to: CallState,
    set: Partial<CallTable> | ((row: CallTable) => Partial<CallTable>),
  ): Promise<boolean> {
    const row = await this.get(callId);
    if (!row || !canTransition(row.state, to)) return false;
    const fields = typeof set === "function" ? set(row) : set;
    const updated = await this.deps.db
      .updateTable("calls")
      .set({ ...fields, state: to, last_seen_at: new Date().toISOString() })
      .where("id", "=", callId)
      .where("state", "=", row.state)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await this.publishStatus(callId, statusOf(to, null), to);
    return true;
  }

  async publishStatus(
    callId: string,
    status: CallStatus,
    state: CallState,
    extra: Partial<Record<"failReason" | "outcome", string>> = {},
  ) {
    await this.deps.live.publish(callId, {
      type: "status",
      status,
      lifecycle: lifecycleOf(state),
      ...(extra as object),
      at: new Date().toISOString(),
    });
  }

  private async onCarrierEvent(event: CarrierEvent): Promise<void> {
    const active = this.active.get(event.callId);
    const nowIso = new Date().toISOString();
    switch (event.type) {
      case "ringing":
        await this.transition(event.callId, "ringing", { dialing_at: nowIso });
        if (active) this.deps.engine.prepare?.(active.id, active.request);
        return;
      case "answered": {
        const ok = await this.transition(event.callId, "in_progress", (row) => ({
          answered_at: nowIso,
          dialing_at: row.dialing_at ?? nowIso,
        }));
        if (ok && active) {
          active.answeredAtMs = Date.parse(nowIso);
          active.answeredBy = event.answeredBy;
          active.budgetSeconds = await this.settlement.remainingFor(active);
          this.stopWhenBudgetEnds(active);
        }
        return;
      }
      case "answered_by":
        if (active && active.answeredAtMs !== null) {
          active.answeredBy = event.answeredBy;
          signal(active, { type: "answered_by", answeredBy: event.answeredBy });
        }
        return;
      case "beep":
        if (active && active.answeredAtMs !== null) signal(active, { type: "beep" });
        return;
      case "media":
        if (!active || active.answeredAtMs === null) {
          event.stream.close();
          return;
        }
        startConversation(this, this.deps, active, event.stream);
        return;
      case "recording":
        await this.deps.db
          .updateTable("calls")
          .set({ recording_url: event.url, recording_expires_at: event.expiresAt.toISOString() })
          .where("id", "=", event.callId)
          .execute();
        return;
      case "hangup": {
        const row = await this.get(event.callId);
        if (!row || row.state === "ended") return;
        const info: EndInfo = active?.pendingEnd ?? {
          cause: event.cause,
          source: event.source,
          answered: row.state === "in_progress",
          carrierCause: event.carrierCause,
          sipCode: event.sipCode,
        };
        await this.settlement.finalize(event.callId, info);
        return;
      }
    }
  }
}

function signal(call: ActiveCall, s: CallSignal): void {
  if (call.signalListener) call.signalListener(s);
  else call.pendingSignals.push(s);
}
