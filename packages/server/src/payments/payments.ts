// Room payments/: selling call time: packages, the payment seam, Stripe Checkout, crediting once.
import type { Account } from "../billing/billing.ts";
import type { CallTimePackage } from "./packages.ts";

/**
 * The seam between the purchase page and a payment provider. Only types live here, so the pages can
 * depend on it without loading a vendor SDK; the Stripe adapter is imported when it is configured.
 */
export interface Payments {
  /** For the start-up banner, e.g. "Stripe Checkout, 2 packages"; never a key. */
  describe(): string;
  readonly packages: readonly CallTimePackage[];
  readonly currency: string;
  /** Opens a hosted payment page for one package. Throws CheckoutFailed when the provider refuses. */
  startCheckout(request: CheckoutRequest): Promise<{ url: string }>;
  /** Verifies a webhook on its raw bytes, then credits what it reports as paid (once per payment). */
  handleWebhook(raw: Buffer, signature: string | undefined, now: Date): Promise<WebhookOutcome>;
}

export interface CheckoutRequest {
  account: Pick<Account, "id">;
  pkg: CallTimePackage;
  /** Names one press of a buy button, so a double submission or a retry opens a single session. */
  attempt: string;
}

export type WebhookOutcome =
  | { status: "invalid_signature"; reason: string }
  | { status: "malformed"; reason: string }
  /** Verified, but not something to credit (another event type, not paid yet, unknown account). */
  | { status: "ignored"; reason: string }
  /** Verified and paid, but not for anything this configuration sells: never credited. */
  | { status: "refused"; reason: string }
  | { status: "credited" | "duplicate"; sessionId: string };

/** The provider could not open a checkout; nothing was charged. */
export class CheckoutFailed extends Error {
  override name = "CheckoutFailed";
}
