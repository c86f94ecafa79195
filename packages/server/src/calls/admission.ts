import { type CallRequest, DEFAULT_VOICE, type ErrorCode } from "@clawcall/contract";
import { type ApiKeyRecord, walletOf } from "../billing/keys.ts";
import type { CallTable } from "../store/schema.ts";
import type { CallStore } from "./call-store.ts";

export type PlaceRefusal = { ok: false; code: ErrorCode; message: string; retryAfterSeconds?: number };
export type PlaceResult = { ok: true; call: CallTable } | PlaceRefusal;

/** What admission lets through: whose minutes pay for the call and how many there are. */
export interface Admitted {
  ok: true;
  wallet: string;
  balance: number;
}

/**
 * Whether this key may place one more call now: it has call time left and fewer calls in progress than
 * the limit. Refusals carry the API's error code and words the user can act on.
 */
export async function admit(
  key: ApiKeyRecord,
  deps: {
    balanceOf(wallet: string): Promise<number>;
    store: Pick<CallStore, "countLive" | "countFreeUnanswered">;
    maxActiveCallsPerKey: number;
    /** Who is placing the call (see CallTable.placed_by), and how many free calls it may have ringing. */
    placedBy: string | null;
    freeRingingPerClient: number;
  },
): Promise<Admitted | PlaceRefusal> {
  const wallet = walletOf(key);
  const balance = await deps.balanceOf(wallet);
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
  if ((await deps.store.countLive(key.id)) >= deps.maxActiveCallsPerKey) {
    return {
      ok: false,
      code: "too_many_active_calls",
      message: `This key already has ${deps.maxActiveCallsPerKey} call(s) in progress. Wait for one to finish.`,
      retryAfterSeconds: 15,
    };
  }
  // One client minting many free keys could otherwise hold every line with calls nobody answers (which
  // cost nothing): free calls not yet answered are capped per client, across all of its keys.
  if (
    !key.account_id &&
    deps.placedBy &&
    (await deps.store.countFreeUnanswered(deps.placedBy)) >= deps.freeRingingPerClient
  ) {
    return {
      ok: false,
      code: "too_many_active_calls",
      message: `This client already has ${deps.freeRingingPerClient} free call(s) ringing. Wait for one to be answered or to end, or sign in to your account.`,
      retryAfterSeconds: 15,
    };
  }
  return { ok: true, wallet, balance };
}

export const POOL_EXHAUSTED: PlaceRefusal = {
  ok: false,
  code: "number_pool_exhausted",
  message: "All outbound lines are busy. Wait 15 seconds and try again.",
  retryAfterSeconds: 15,
};

export const DIAL_FAILED: PlaceRefusal = {
  ok: false,
  code: "dial_failed",
  message: "The carrier refused to place the call. Nothing was charged; try again in a few seconds.",
};

/** The record of a call just admitted, queued on this node; the bridge number is never stored. */
export function newCallRow(call: {
  id: string;
  keyId: string;
  wallet: string;
  request: CallRequest;
  from: string;
  nodeId: string;
  now: Date;
  placedBy?: string | null;
}): CallTable {
  const { request } = call;
  return {
    id: call.id,
    key_id: call.keyId,
    wallet: call.wallet,
    state: "queued",
    to_number: request.to,
    from_number: call.from,
    task: request.task,
    personality: request.personality ?? null,
    greeting: request.greeting ?? null,
    voice: request.voice ?? DEFAULT_VOICE,
    has_bridge: request.bridge_number ? 1 : 0,
    fail_reason: null,
    outcome: null,
    outcome_detail: null,
    talk_seconds: null,
    queued_at: call.now.toISOString(),
    dialing_at: null,
    answered_at: null,
    finalized_at: null,
    last_seen_at: call.now.toISOString(),
    owner_node: call.nodeId,
    recording_url: null,
    recording_expires_at: null,
    meta: null,
    result: null,
    handoff: null,
    bridge_from: null,
    placed_by: call.placedBy ?? null,
  };
}
