import type { CallRequest, TranscriptEntry } from "@clawcall/contract";
import type { Db } from "../store/database.ts";
import type { CallTable } from "../store/schema.ts";

/**
 * What a room above calls learns of each call's life (webhooks). The transactional moments hand over the
 * transaction that writes the call, so what the hook writes (an outbox row) commits with the call or not
 * at all; a hook that throws undoes the call's change with it.
 */
export interface CallHooks {
  /** In the transaction that stores a new call (`request` as placed, with what it alone says). */
  created(tx: Db, row: CallTable, request: CallRequest, now: Date): Promise<void>;
  /** In the transaction of a live state move (ringing, answered); `row` as it is after the move. */
  moved(tx: Db, row: CallTable, now: Date): Promise<void>;
  /** In the transaction that finalizes the call; `row` as it is once final. */
  finalized(tx: Db, row: CallTable, now: Date): Promise<void>;
  /** After line `index` (from 0) was added to the live transcript: transcripts are never in the database. */
  transcribed(row: Pick<CallTable, "id" | "wallet">, index: number, entry: TranscriptEntry): Promise<void>;
}
