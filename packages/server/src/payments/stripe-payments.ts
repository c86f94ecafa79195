import Stripe from "stripe";
import type { Billing } from "../billing/billing.ts";
import type { Logger } from "../observability/logger.ts";
import type { Db } from "../store/database.ts";
import { type CallTimePackage, packageLabel } from "./packages.ts";
import { judgeSession } from "./paid-session.ts";
import { CheckoutFailed, type CheckoutRequest, type Payments, type WebhookOutcome } from "./payments.ts";
import { creditPurchaseOnce } from "./purchases.ts";

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** Another API origin, such as a local fake in tests; unset means Stripe itself. */
  apiBase: string | undefined;
}

/** What is for sale: the packages and the currency their amounts are in. */
export interface SaleSettings {
  packages: CallTimePackage[];
  currency: string;
}
type StripeOptions = NonNullable<ConstructorParameters<typeof Stripe>[1]>;

export interface StripePaymentsDeps {
  db: Db;
  billing: Billing;
  logger: Logger;
  /** Read at each checkout: without a configured public URL it is only known once the service listens. */
  publicUrl: () => string;
}

/** Stripe's recommended bound on a webhook's age; older deliveries may be replays. */
const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Maps CLAWCALL_STRIPE_API_BASE to the SDK's host/port/protocol; unset means Stripe itself. */
export function stripeTarget(apiBase: string | undefined): Pick<StripeOptions, "host" | "port" | "protocol"> {
  if (!apiBase) return {};
  const u = new URL(apiBase);
  const protocol = u.protocol === "http:" ? "http" : "https";
  return { host: u.hostname, port: u.port || (protocol === "http" ? 80 : 443), protocol };
}

/** Only these fields of an SDK error are logged: its message may echo parameters such as return URLs. */
function errorFields(err: unknown) {
  if (err instanceof Stripe.errors.StripeError)
    return { type: err.type, code: err.code, statusCode: err.statusCode, requestId: err.requestId };
  return { type: err instanceof Error ? err.name : typeof err };
}

/** Stripe Checkout: hosted payment pages for the configured packages, credited from signed webhooks. */
export function createStripePayments(
  settings: StripeSettings,
  sale: SaleSettings,
  deps: StripePaymentsDeps,
): Payments {
  // The SDK retries network failures and 5xx answers itself; the idempotency key makes a retry safe.
  const client = new Stripe(settings.secretKey, {
    ...stripeTarget(settings.apiBase),
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: "ClawCall" },
  });
  const { db, billing, logger } = deps;
  const log = logger.child({ vendor: "stripe" });

  async function startCheckout({ account, pkg, attempt }: CheckoutRequest) {
    const base = deps.publicUrl();
    let session: Stripe.Checkout.Session;
    try {
      session = await client.checkout.sessions.create(
        {
          mode: "payment",
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: sale.currency,
                unit_amount: pkg.amount,
                product_data: { name: `ClawCall call time: ${packageLabel(pkg)}` },
              },
            },
          ],
          client_reference_id: account.id,
          metadata: { account_id: account.id, seconds: String(pkg.minutes * 60), package: pkg.id },
          // Never the API key: these addresses are stored at Stripe and sent back in its events.
          success_url: `${base}/purchase/done?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${base}/purchase/cancelled`,
        },
        { idempotencyKey: `clawcall-checkout-${account.id}-${pkg.id}-${attempt}` },
      );
    } catch (err) {
      log.warn({ accountId: account.id, err: errorFields(err) }, "checkout session could not be created");
      throw new CheckoutFailed("Stripe did not open a checkout");
    }
    if (!session.url || !/^https?:\/\//.test(session.url)) {
      log.warn({ accountId: account.id, sessionId: session.id }, "checkout session came without a page");
      throw new CheckoutFailed("Stripe returned no checkout page");
    }
    return { url: session.url };
  }

  async function handleWebhook(
    raw: Buffer,
    signature: string | undefined,
    now: Date,
  ): Promise<WebhookOutcome> {
    if (!signature) return { status: "invalid_signature", reason: "no Stripe-Signature header" };
    let event: Stripe.Event;
    try {
      event = client.webhooks.constructEvent(
        raw,
        signature,
        settings.webhookSecret,
        WEBHOOK_TOLERANCE_SECONDS,
        undefined,
        now.getTime(),
      );
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
        const stale = /tolerance/i.test(err.message);
        return { status: "invalid_signature", reason: stale ? "timestamp too old" : "signature mismatch" };
      }
      return { status: "malformed", reason: "signed body is not a JSON event" };
    }
    if (
      event.type !== "checkout.session.completed" &&
      event.type !== "checkout.session.async_payment_succeeded"
    )
      return { status: "ignored", reason: `event ${event.type}` };
    const session = event.data.object;
    if (session?.object !== "checkout.session")
      return { status: "malformed", reason: "event carries no checkout session" };
    const fields = { eventId: event.id, sessionId: session.id };
    const verdict = judgeSession(session, sale.packages, sale.currency);
    if (!verdict.ok) {
      if (verdict.credit === "not_yet") return { status: "ignored", reason: verdict.reason };
      log.warn({ ...fields, reason: verdict.reason }, "paid checkout not credited");
      return { status: "refused", reason: verdict.reason };
    }
    const accountId = verdict.purchase.account_id;
    if (!(await billing.accountById(accountId))) {
      log.warn({ ...fields, accountId }, "paid checkout for an unknown account not credited");
      return { status: "ignored", reason: "unknown account" };
    }
    const result = await creditPurchaseOnce(db, billing.ledger, verdict.purchase, now);
    log.info({ ...fields, accountId, seconds: verdict.purchase.seconds, result }, "checkout payment");
    return { status: result, sessionId: session.id };
  }

  return {
    describe: () => {
      const n = sale.packages.length;
      const at = settings.apiBase ? ` (API at ${new URL(settings.apiBase).host})` : "";
      return `Stripe Checkout, ${n} package${n === 1 ? "" : "s"}${at}`;
    },
    packages: sale.packages,
    currency: sale.currency,
    startCheckout,
    handleWebhook,
  };
}
