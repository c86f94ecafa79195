import { Billing } from "../../src/billing/billing.ts";
import { walletOf } from "../../src/billing/keys.ts";
import type { Db } from "../../src/store/database.ts";
import type { CallTable } from "../../src/store/schema.ts";

const billingSettings = {
  freeSeconds: 1200,
  signupGrantSeconds: 0,
  purchaseText: "",
  purchaseUrl: undefined,
};

/**
 * Writes a call row directly, under a freshly minted key, as a node would have left it (for example one
 * that died mid-call). Timestamps default to `at`; everything else to a plain queued call.
 */
export async function writeCallRow(
  db: Db,
  row: Pick<CallTable, "id" | "state" | "from_number"> & Partial<CallTable>,
  at = new Date().toISOString(),
): Promise<void> {
  const { record } = await new Billing(db, billingSettings).mintKey(new Date());
  await db
    .insertInto("calls")
    .values({
      key_id: record.id,
      wallet: walletOf(record),
      to_number: "+12125550100",
      task: "x",
      personality: null,
      greeting: null,
      voice: "jessica",
      has_bridge: 0,
      fail_reason: null,
      outcome: null,
      outcome_detail: null,
      talk_seconds: null,
      queued_at: at,
      dialing_at: null,
      answered_at: null,
      finalized_at: null,
      last_seen_at: at,
      owner_node: "n",
      recording_url: null,
      recording_expires_at: null,
      meta: null,
      result: null,
      handoff: null,
      bridge_from: null,
      ...row,
    })
    .execute();
}
