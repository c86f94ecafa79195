import type Stripe from "stripe";
import type { CallTimePackage } from "./packages.ts";
import type { Purchase } from "./purchases.ts";

/** The fields of a Checkout Session that decide what it pays for (a type only: the SDK is not loaded). */
export type SessionFacts = Pick<
  Stripe.Checkout.Session,
  "id" | "mode" | "payment_status" | "amount_total" | "currency" | "client_reference_id" | "metadata"
>;

export type SessionVerdict =
  | { ok: true; purchase: Purchase }
  | { ok: false; credit: "not_yet" | "never"; reason: string };

/**
 * What a completed session pays for, judged only against the current configuration: the package named
 * in its metadata must still be sold, for the amount and currency charged, and for the seconds the
 * metadata claims. Anything else is refused rather than guessed at.
 */
export function judgeSession(
  session: SessionFacts,
  packages: readonly CallTimePackage[],
  currency: string,
): SessionVerdict {
  if (session.mode !== "payment") return { ok: false, credit: "never", reason: "not a one-time payment" };
  // Delayed methods (bank debits) complete unpaid; their async_payment_succeeded event credits them.
  if (session.payment_status !== "paid") return { ok: false, credit: "not_yet", reason: "not paid" };
  const meta = session.metadata ?? {};
  const accountId = meta["account_id"];
  if (!accountId || session.client_reference_id !== accountId)
    return { ok: false, credit: "never", reason: "no account, or the account and reference differ" };
  const pkg = packages.find((p) => p.id === meta["package"]);
  if (!pkg) return { ok: false, credit: "never", reason: "package not sold in this configuration" };
  const seconds = pkg.minutes * 60;
  if (meta["seconds"] !== String(seconds))
    return { ok: false, credit: "never", reason: "seconds differ from the package" };
  if (session.amount_total !== pkg.amount || session.currency?.toLowerCase() !== currency)
    return { ok: false, credit: "never", reason: "amount or currency differs from the package" };
  return {
    ok: true,
    purchase: {
      session_id: session.id,
      account_id: accountId,
      seconds,
      amount: pkg.amount,
      currency,
    },
  };
}
