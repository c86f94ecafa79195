// Room calls/: a call from admission to its final state: states, call store, lines, settlement, supervisor.
import { randomUUID } from "node:crypto";
import type { CallRequest, TranscriptEntry } from "@clawcall/contract";
import type { Billing } from "../billing/billing.ts";
import type { ApiKeyRecord } from "../billing/keys.ts";
import type { LatencySummary } from "../observability/latency.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Db } from "../store/database.ts";
import type { LiveStore } from "../store/live-store.ts";
import type { CallTable } from "../store/schema.ts";
import { type Carrier, DialRefusedError } from "../telephony/carrier.ts";
import { newActiveCall } from "./active-call.ts";
import { admit, DIAL_FAILED, newCallRow, type PlaceResult, POOL_EXHAUSTED } from "./admission.ts";
import type { CallHooks } from "./call-hooks.ts";
import { CallStore } from "./call-store.ts";
import { CarrierEvents } from "./carrier-events.ts";
import type { ConversationEngine } from "./conversation.ts";
import type { ConversationHost } from "./conversation-runner.ts";
import { HeldCalls } from "./held-calls.ts";
import type { NumberPool } from "./number-pool.ts";
import type { EndInfo } from "./outcomes.ts";
import { Settlement } from "./settlement.ts";
import { isTerminal } from "./states.ts";

/** The limits the calls room enforces, from the operator's settings. */
export interface CallLimits {
  maxActiveCallsPerKey: number;
  /** Free (unlinked) calls one client may have ringing at once. */
  freeRingingPerClient: number;
  /** A free key's unanswered call is charged its ring time. */
  freeRingCounts: boolean;
  /** Talk seconds after which an answered call is ended. */
  maxCallSeconds: number;
  /** How long a finished call's transcript stays readable. */
  transcriptTtlSeconds: number;
}

export interface CallServiceDeps {
  db: Db;
  billing: Billing;
  carrier: Carrier;
  live: LiveStore;
  pool: NumberPool;
  engine: ConversationEngine;
  limits: CallLimits;
  logger: Logger;
  metrics: Metrics;
  nodeId: string;
  /** Told of each call's life, in the transactions that write it (webhooks). */
  hooks?: CallHooks;
}

export type { PlaceResult } from "./admission.ts";

/** How long a hang-up asked of another node waits to see the call end. */
const REMOTE_HANGUP_WAIT_MS = 2_000;

/**
 * Owns calls from admission to their final state: admits and dials, applies carrier events to the state
 * machine (carrier-events.ts), hands answered calls to the conversation engine, and settles them through
 * the ledger.
 */
export class CallService {
  /** The calls table (the number pool reads call states only with its leases, in one statement). */
  readonly store: CallStore;
  private readonly active: HeldCalls;
  private readonly settlement: Settlement;
  private readonly conversationHost: ConversationHost;

  constructor(private readonly deps: CallServiceDeps) {
    this.store = new CallStore(deps.db);
    this.active = new HeldCalls({
      onCount: (count) => deps.metrics.activeCalls.set(count),
      onRelease: (callId) => deps.engine.release?.(callId),
    });
    this.settlement = new Settlement(deps, this.active);
    this.conversationHost = {
      engine: deps.engine,
      logger: deps.logger,
      carrier: deps.carrier,
      pool: deps.pool,
      endBySystem: (callId, info) => this.endBySystem(callId, info),
      endByAgent: (callId, info) => this.decideEnd(callId, info, { hangUp: true, byAgent: true }),
      finalizeConversation: (callId, info) => this.finalizeConversation(callId, info),
      appendTranscript: (callId, entry) => this.appendTranscript(callId, entry),
      recordLatency: (callId, latency) => this.recordLatency(callId, latency),
      transcript: (callId) => deps.live.transcript(callId),
      recordHandoff: (callId, handoff, bridgeFrom) => this.store.setHandoff(callId, handoff, bridgeFrom),
    };
    const carrierEvents = new CarrierEvents({
      deps,
      store: this.store,
      active: this.active,
      settlement: this.settlement,
      conversationHost: this.conversationHost,
      decideEnd: (callId, info, how) => this.decideEnd(callId, info, how),
      endBySystem: (callId, info) => this.endBySystem(callId, info),
    });
    // Events of one call are applied in arrival order, each after the previous one finished: handlers
    // await storage, and e.g. the media stream must not overtake the answer it belongs to.
    deps.carrier.onEvent((event) =>
      this.active.inOrder(
        event.callId,
        () => carrierEvents.apply(event),
        (err) => deps.logger.error({ err, callId: event.callId, event: event.type }, "carrier event failed"),
      ),
    );
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
  /**
   * `callId` is chosen by the caller when a retry of the same placement must find the same call;
   * `placedBy` names the client (an HMAC of its address group) for the cap on free calls ringing.
   */
  async place(
    key: ApiKeyRecord,
    request: CallRequest,
    options: { now?: Date; callId?: string; placedBy?: string } = {},
  ): Promise<PlaceResult> {
    const { now = new Date(), callId = randomUUID(), placedBy = null } = options;
    const { billing, pool, limits, live, nodeId } = this.deps;
    const admitted = await admit(key, {
      balanceOf: (wallet) => billing.ledger.balance(wallet),
      store: this.store,
      maxActiveCallsPerKey: limits.maxActiveCallsPerKey,
      placedBy,
      freeRingingPerClient: limits.freeRingingPerClient,
    });
    if (!admitted.ok) return admitted;
    const from = await pool.acquire(callId, now);
    if (from === null) return POOL_EXHAUSTED;

    const row = newCallRow({
      id: callId,
      keyId: key.id,
      wallet: admitted.wallet,
      request,
      from,
      nodeId,
      now,
      placedBy,
    });
    try {
      const { hooks } = this.deps;
      if (hooks) {
        await this.deps.db.transaction().execute(async (tx) => {
          await new CallStore(tx).insert(row);
          await hooks.created(tx, row, request, now);
        });
      } else {
        await this.store.insert(row);
      }
    } catch (err) {
      await pool.release(from, callId);
      throw err;
    }
    await live.open(row.id);
    this.register(row, request, admitted.balance);
    return (await this.dial(row, request)) ? { ok: true, call: row } : DIAL_FAILED;
  }

  /** Starts holding a call this node just created, until it reaches its final state. */
  private register(row: CallTable, request: CallRequest, balance: number): void {
    this.active.add(
      newActiveCall({
        id: row.id,
        keyId: row.key_id,
        wallet: row.wallet,
        from: row.from_number!,
        request,
        bridgeNumber: request.bridge_number ?? null,
        budgetSeconds: balance,
      }),
    );
    this.deps.metrics.callsPlaced.inc();
  }

  /** Asks the carrier to dial; a refusal settles the call at once (nothing charged). */
  private async dial(row: CallTable, request: CallRequest): Promise<boolean> {
    try {
      await this.deps.carrier.dial({
        callId: row.id,
        to: request.to,
        from: row.from_number!,
        ringTimeoutSeconds: 30,
        record: true,
      });
      return true;
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
      return false;
    }
  }

  /** How many calls this node holds now. */
  activeCount(): number {
    return this.active.size;
  }

  /** Whether this node holds the call (dials it, runs its conversation). */
  isActive(callId: string): boolean {
    return this.active.has(callId);
  }

  activeIds(): string[] {
    return this.active.ids();
  }

  /** Answered calls this node holds that nothing has decided to end yet: what the meter watches. */
  meteredCalls(): { id: string; wallet: string; answeredAtMs: number }[] {
    return [...this.active.values()].flatMap((c) =>
      c.answeredAtMs === null || c.pendingEnd
        ? []
        : [{ id: c.id, wallet: c.wallet, answeredAtMs: c.answeredAtMs }],
    );
  }

  /** Takes a call to its final state and settles it (see Settlement.finalize). */
  finalize(callId: string, info: EndInfo, endedAt?: Date): Promise<boolean> {
    return this.settlement.finalize(callId, info, endedAt);
  }

  balanceOfWallet(wallet: string): Promise<number> {
    return this.deps.billing.ledger.balance(wallet);
  }

  /** The service's own caller numbers are never dialled. */
  ownsNumber(number: string): boolean {
    return this.deps.pool.has(number);
  }

  get(callId: string): Promise<CallTable | undefined> {
    return this.store.get(callId);
  }

  /** Ends or cancels a call at the caller's request. Idempotent. */
  async hangup(callId: string): Promise<void> {
    const row = await this.get(callId);
    if (!row || isTerminal(row.state)) return;
    const active = this.active.get(callId);
    if (!active && row.owner_node !== this.deps.nodeId) {
      await this.askOwnerToHangUp(callId, row.owner_node);
      return;
    }
    const answered = row.state === "in_progress";
    const info: EndInfo = { cause: answered ? "normal" : "cancelled", source: "caller", answered };
    await this.decideEnd(callId, info, { hangUp: true });
    // A conversation was stopped: its runner finalizes the call once what came of it is known.
    if (active) await this.active.released(callId);
  }

  /**
   * Another node owns the call's carrier leg and conversation: ask it, and wait briefly for the final
   * status it publishes through the live store.
   */
  private async askOwnerToHangUp(callId: string, owner: string): Promise<void> {
    const { live } = this.deps;
    let ended: () => void = () => {};
    const finalized = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const stop = await live.subscribe(callId, (event) => {
      if (event.type === "status" && event.lifecycle === "finalized") ended();
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await live.sendControl(owner, { type: "hangup", callId });
      // It may have ended before this node was listening.
      const now = await this.get(callId);
      if (now && isTerminal(now.state)) return;
      await Promise.race([finalized, new Promise((r) => (timer = setTimeout(r, REMOTE_HANGUP_WAIT_MS)))]);
    } finally {
      clearTimeout(timer);
      stop();
    }
  }

  /** Ends a call for a reason of the service's own (balance, length limit, agent unavailable). */
  endBySystem(callId: string, info: EndInfo): Promise<void> {
    return this.decideEnd(callId, info, { hangUp: true });
  }

  /**
   * Every end of a call this node holds comes here. The first end decided is the call's (a later hang-up
   * event or limit does not overwrite it). A call with a conversation running is not finalized here: the
   * conversation is stopped and its runner finalizes the call once it has stopped, so nothing about the
   * call changes after it is final. Any other call is finalized at once.
   */
  private async decideEnd(
    callId: string,
    info: EndInfo,
    how: { hangUp: boolean; byAgent?: boolean },
  ): Promise<void> {
    const active = this.active.get(callId);
    if (active && active.pendingEnd === null) {
      active.pendingEnd = info;
      active.pendingEndAt = new Date();
      active.endedByAgent = how.byAgent ?? false;
    }
    if (active?.conversing) {
      if (how.hangUp) await this.hangupAtCarrier(callId);
      active.controller.abort();
      return;
    }
    if (how.hangUp) await this.hangupAtCarrier(callId);
    // The carrier's hang-up event may never come (or come late): settle now, the event is then ignored.
    await this.settlement.finalize(callId, active?.pendingEnd ?? info, active?.pendingEndAt ?? undefined);
  }

  /** After its conversation stopped: the call ends (at the carrier too) with the end the runner chose. */
  private async finalizeConversation(callId: string, info: EndInfo): Promise<void> {
    const active = this.active.get(callId);
    if (!active) return;
    const endedAt = active.pendingEndAt ?? new Date();
    if (active.pendingEnd === null) {
      active.pendingEnd = info;
      active.pendingEndAt = endedAt;
      await this.hangupAtCarrier(callId);
    }
    await this.settlement.finalize(callId, info, endedAt);
  }

  /** Hangs up at the carrier, then lets the events it reported on the way (a recording) be applied. */
  private async hangupAtCarrier(callId: string): Promise<void> {
    await this.deps.carrier
      .hangup(callId)
      .catch((err) => this.deps.logger.warn({ err, callId }, "carrier hangup failed"));
    await this.active.settled(callId);
  }

  /** Adds a line to a call this node holds; once the call is being finalized, nothing is added. */
  async appendTranscript(callId: string, entry: Omit<TranscriptEntry, "timestamp">): Promise<void> {
    const active = this.active.get(callId);
    if (!active || active.finalizing) return;
    const full: TranscriptEntry = { ...entry, timestamp: new Date().toISOString() };
    const index = active.transcriptLines++;
    await this.deps.live.appendTranscript(callId, full);
    await this.deps.live.publish(callId, { type: "transcript", entry: full });
    await this.deps.hooks
      ?.transcribed({ id: callId, wallet: active.wallet }, index, full)
      .catch((err) => this.deps.logger.error({ err, callId }, "transcript hook failed"));
  }

  /** Keeps the call's latency summary with its record (an extension field under `_meta`). */
  async recordLatency(callId: string, latency: LatencySummary): Promise<void> {
    if (!(await this.store.mergeMeta(callId, { latency }))) return;
    const { metrics } = this.deps;
    if (latency.turn_p50_ms !== null) metrics.turnLatency.observe(latency.turn_p50_ms / 1000);
    if (latency.barge_in_p50_ms !== null) metrics.bargeInLatency.observe(latency.barge_in_p50_ms / 1000);
  }
}
