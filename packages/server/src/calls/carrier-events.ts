import type { CallTable } from "../store/schema.ts";
import type { CarrierEvent } from "../telephony/carrier.ts";
import type { ActiveCall } from "./active-call.ts";
import type { CallServiceDeps } from "./call-service.ts";
import { CallStore } from "./call-store.ts";
import type { CallSignal } from "./conversation.ts";
import { type ConversationHost, startConversation } from "./conversation-runner.ts";
import type { HeldCalls } from "./held-calls.ts";
import type { EndInfo } from "./outcomes.ts";
import type { Settlement } from "./settlement.ts";
import { type CallState, canTransition, isTerminal, statusEvent } from "./states.ts";

/** What applying the carrier's events needs of the call service. */
export interface CarrierEventsHost {
  deps: Pick<CallServiceDeps, "db" | "engine" | "hooks" | "live" | "limits">;
  store: CallStore;
  active: HeldCalls;
  settlement: Settlement;
  conversationHost: ConversationHost;
  /** Every end of a call this node holds goes through here (see CallService.decideEnd). */
  decideEnd(callId: string, info: EndInfo, how: { hangUp: boolean }): Promise<void>;
  endBySystem(callId: string, info: EndInfo): Promise<void>;
}

/**
 * Applies what the carrier reports (ringing, answer, machine detection, media, recording, hang-up) to a
 * call's state machine, its live view and the conversation it runs. The call service applies a call's
 * events one at a time, in the order they came.
 */
export class CarrierEvents {
  constructor(private readonly host: CarrierEventsHost) {}

  async apply(event: CarrierEvent): Promise<void> {
    const { active: held, deps, settlement, store } = this.host;
    const active = held.get(event.callId);
    const nowIso = new Date().toISOString();
    switch (event.type) {
      case "ringing":
        await this.transition(event.callId, "ringing", { dialing_at: nowIso });
        if (active) deps.engine.prepare?.(active.id, active.request);
        return;
      case "answered": {
        const ok = await this.transition(event.callId, "in_progress", (row) => ({
          answered_at: nowIso,
          dialing_at: row.dialing_at ?? nowIso,
        }));
        if (ok && active) {
          active.answeredAtMs = Date.parse(nowIso);
          active.answeredBy = event.answeredBy;
          active.budgetSeconds = await settlement.remainingFor(active);
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
        startConversation(this.host.conversationHost, active, event.stream);
        return;
      case "media_failed":
        if (active && active.answeredAtMs !== null) {
          await this.host.endBySystem(event.callId, {
            cause: "network_error",
            source: "unknown",
            answered: true,
          });
        }
        return;
      case "recording":
        await store.setRecording(event.callId, event.url, event.expiresAt);
        return;
      case "sandbox_report":
        await store.mergeMeta(event.callId, { sandbox: event.report });
        return;
      case "hangup": {
        const row = await store.get(event.callId);
        if (!row || isTerminal(row.state)) return;
        // Once the user was connected, a party hanging up is how the handed-off call ends.
        const handedOff = active?.handoff?.status === "connected" && event.cause === "normal";
        const info: EndInfo = {
          cause: handedOff ? "handoff_completed" : event.cause,
          source: event.source,
          answered: row.state === "in_progress",
          carrierCause: event.carrierCause,
          sipCode: event.sipCode,
        };
        if (active) await this.host.decideEnd(event.callId, info, { hangUp: false });
        else await settlement.finalize(event.callId, info);
        return;
      }
    }
  }

  /**
   * Exact stop for the common single-call case; the supervisor's meter covers shared balances. Stopping
   * just short of the budget keeps the rounded-up talk time within it.
   */
  private stopWhenBudgetEnds(active: ActiveCall): void {
    this.host.active.after(active, Math.max(0, active.budgetSeconds * 1000 - 100), () => {
      if (active.pendingEnd) return;
      const cause =
        active.budgetSeconds >= this.host.deps.limits.maxCallSeconds ? "max_duration" : "balance_exhausted";
      void this.host.endBySystem(active.id, { cause, source: "system", answered: true });
    });
  }

  private async transition(
    callId: string,
    to: CallState,
    set: Partial<CallTable> | ((row: CallTable) => Partial<CallTable>),
  ): Promise<boolean> {
    const { deps, store } = this.host;
    const row = await store.get(callId);
    if (!row || !canTransition(row.state, to)) return false;
    const fields = typeof set === "function" ? set(row) : set;
    const now = new Date();
    const { hooks } = deps;
    const moved = hooks
      ? await deps.db.transaction().execute(async (tx) => {
          if (!(await new CallStore(tx).transition(callId, row.state, to, fields, now))) return false;
          const after = { ...row, ...fields, state: to, last_seen_at: now.toISOString() };
          await hooks.moved(tx, after, now);
          return true;
        })
      : await store.transition(callId, row.state, to, fields, now);
    if (!moved) return false;
    await deps.live.publish(callId, statusEvent({ state: to, fail_reason: null, outcome: null }, new Date()));
    return true;
  }
}

function signal(call: ActiveCall, s: CallSignal): void {
  if (call.signalListener) call.signalListener(s);
  else call.pendingSignals.push(s);
}
