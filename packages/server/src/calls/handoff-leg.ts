import { DEFAULT_VOICE, type Handoff, type TranscriptEntry } from "@clawcall/contract";
import type { BridgeResult, Carrier } from "../telephony/carrier.ts";
import type { ActiveCall } from "./active-call.ts";
import type { NumberPool } from "./number-pool.ts";

/** What ringing the user for a handoff needs of the service. */
export interface HandoffHost {
  carrier: Pick<Carrier, "bridge">;
  /** The handoff's second line comes from the pool like any call's. */
  pool: Pick<NumberPool, "acquire" | "release">;
  /** Keeps the handoff (and the caller id its leg showed) with the call while it is live. */
  recordHandoff(callId: string, handoff: Handoff, bridgeFrom: string | null): Promise<void>;
  /** Notes the warm greeting the user heard as they picked up. */
  appendTranscript?(callId: string, entry: Omit<TranscriptEntry, "timestamp">): Promise<void>;
}

const failed = (message: string): BridgeResult => ({ ok: false, reason: "failed", message });

/**
 * Rings the request's bridge_number (the account's verified phone for `loop_in_user`) and joins it to the
 * call, the user hearing the request's `warm_greeting` first, recording on the call how it goes: ringing
 * at once, then connected or why not, with how long it rang. A call that ends while the user's phone
 * rings settles the handoff as failed at that moment, whatever the carrier reports later.
 */
export async function ringUser(host: HandoffHost, call: ActiveCall): Promise<BridgeResult> {
  if (!call.bridgeNumber) return failed("no bridge number was given");
  if (call.handoff !== null && (call.handoff.status === "ringing" || call.handoff.status === "connected"))
    return failed("a handoff is already in progress");
  const startedAt = Date.now();
  const at = new Date(startedAt).toISOString();
  // The handoff rings a second line, which counts against the channel limit like a call of its own; it
  // is held until the call ends (settlement frees every line of the call).
  const line = await host.pool.acquire(call.id);
  if (line === null) {
    call.handoff = { status: "failed", at, ring_seconds: 0 };
    await host.recordHandoff(call.id, call.handoff, null);
    return failed("no free line for the handoff: every channel is in use");
  }
  call.handoff = { status: "ringing", at, ring_seconds: null };
  await host.recordHandoff(call.id, call.handoff, call.from);
  const greeting = call.request.warm_greeting?.trim() || undefined;
  const result = await untilCallEnds(
    call.controller.signal,
    host.carrier
      .bridge(
        call.id,
        call.bridgeNumber,
        call.from,
        greeting ? { greeting, voice: call.request.voice ?? DEFAULT_VOICE } : undefined,
      )
      .catch((error: unknown) => failed(error instanceof Error ? error.message : String(error))),
  );
  if (!result.ok) await host.pool.release(line, call.id);
  call.handoff = {
    status: result.ok ? "connected" : result.reason,
    at,
    ring_seconds: Math.round((Date.now() - startedAt) / 100) / 10,
  };
  await host.recordHandoff(call.id, call.handoff, call.from);
  if (result.ok && greeting)
    await host.appendTranscript?.(call.id, {
      role: "system",
      text: `Said to the user as they picked up, before joining them: "${greeting}"`,
    });
  return result;
}

function untilCallEnds(signal: AbortSignal, bridged: Promise<BridgeResult>): Promise<BridgeResult> {
  const ended = failed("the call ended before the handoff connected");
  if (signal.aborted) return Promise.resolve(ended);
  return new Promise((resolve) => {
    const onAbort = () => resolve(ended);
    signal.addEventListener("abort", onAbort, { once: true });
    void bridged.then((result) => {
      signal.removeEventListener("abort", onAbort);
      resolve(result);
    });
  });
}
