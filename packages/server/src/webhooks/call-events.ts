import type { CallRequest, TranscriptEntry, WebhookCall, WebhookEventType } from "@clawcall/contract";
import type { CallHooks } from "../calls/call-hooks.ts";
import { RECORDING_PENDING_MS, toCallView } from "../calls/call-view.ts";
import type { Db } from "../store/database.ts";
import type { CallTable } from "../store/schema.ts";
import type { Endpoints } from "./endpoints.ts";
import { type NewDelivery, newId, Outbox } from "./outbox.ts";

/** The call as webhooks report it: GET /call/{id}'s view, without the key, balance or transcript. */
export function webhookCall(row: CallTable, recordingMayFollow: boolean, now: Date): WebhookCall {
  const {
    api_key: _key,
    _meta: _wallet,
    ...view
  } = toCallView(row, {
    transcript: null,
    balanceSeconds: 0,
    standing: { unlimited: false, plan: null, trial: null },
    apiKey: "",
    recordingMayFollow,
    now,
  });
  const meta = row.meta ? (JSON.parse(row.meta) as Record<string, unknown>) : {};
  const pending =
    recordingMayFollow &&
    row.state === "ended" &&
    row.answered_at !== null &&
    row.recording_url === null &&
    now.getTime() - Date.parse(row.finalized_at ?? "") < RECORDING_PENDING_MS;
  return { ...view, _meta: { ...meta, recording_pending: pending } };
}

/**
 * Turns each moment of a call into outbox rows, one per receiver (the wallet's URL and the call's own),
 * in the transaction that writes the moment. `onAdded` wakes the delivery worker.
 */
export class CallEventWriter implements CallHooks {
  constructor(
    private readonly db: Db,
    private readonly endpoints: Endpoints,
    private readonly recordingMayFollow: boolean,
    private readonly onAdded: () => void,
  ) {}

  async created(tx: Db, row: CallTable, request: CallRequest, now: Date): Promise<void> {
    if (request.webhook_url) await this.endpoints.setCallUrl(tx, row.id, request.webhook_url);
    await this.write(tx, row, "call.started", now);
  }

  async moved(tx: Db, row: CallTable, now: Date): Promise<void> {
    await this.write(tx, row, "call.status", now);
  }

  async finalized(tx: Db, row: CallTable, now: Date): Promise<void> {
    await this.write(tx, row, "call.completed", now);
  }

  async transcribed(row: Pick<CallTable, "id" | "wallet">, index: number, entry: TranscriptEntry) {
    const receivers = await this.receivers(this.db, row.wallet, row.id, "call.transcript");
    if (receivers.length === 0) return;
    const event = newId("evt");
    // The line itself is not kept: it is read from the live transcript when sent.
    const payload = JSON.stringify({
      id: event,
      type: "call.transcript",
      created_at: entry.timestamp,
      data: { call_id: row.id, index },
    });
    await this.add(this.db, receivers, { event, type: "call.transcript", row, payload, index }, new Date());
  }

  private async write(tx: Db, row: CallTable, type: WebhookEventType, now: Date): Promise<void> {
    const receivers = await this.receivers(tx, row.wallet, row.id, type);
    if (receivers.length === 0) return;
    const event = newId("evt");
    const payload = JSON.stringify({
      id: event,
      type,
      created_at: now.toISOString(),
      data: { call: webhookCall(row, this.recordingMayFollow, now) },
    });
    await this.add(tx, receivers, { event, type, row, payload, index: null }, now);
  }

  private async add(
    db: Db,
    urls: string[],
    e: {
      event: string;
      type: WebhookEventType;
      row: Pick<CallTable, "id" | "wallet">;
      payload: string;
      index: number | null;
    },
    now: Date,
  ): Promise<void> {
    const rows: NewDelivery[] = urls.map((url) => ({
      event_id: e.event,
      event_type: e.type,
      owner: e.row.wallet,
      call_id: e.row.id,
      url,
      payload: e.payload,
      transcript_index: e.index,
      with_transcript: e.type === "call.completed" ? 1 : 0,
    }));
    await new Outbox(db).add(rows, now);
    this.onAdded();
  }

  /** Where an event of this call goes: the wallet's URL and the call's own, each once, if subscribed. */
  private async receivers(db: Db, wallet: string, callId: string, type: WebhookEventType): Promise<string[]> {
    const endpoint = await this.endpoints.get(wallet, db);
    if (!endpoint?.events.includes(type)) return [];
    const urls = new Set<string>();
    if (endpoint.url) urls.add(endpoint.url);
    const own = await this.endpoints.callUrl(db, callId);
    if (own) urls.add(own);
    return [...urls];
  }
}
