import { z } from "zod";
import { type EnvValues, optionalString, url } from "../env/fields.ts";
import { type CallTimePackage, DEFAULT_PACKAGES, parsePackages } from "./packages.ts";
import type { SaleSettings, StripeSettings } from "./stripe-payments.ts";

/** Stripe's variables, and what is for sale. */
export const PAYMENT_ENV = {
  STRIPE_SECRET_KEY: optionalString.pipe(
    z
      .string()
      .regex(
        /^(sk|rk)_\S+$/,
        "must be a Stripe secret key (sk_… or a restricted rk_…), not a publishable one",
      )
      .optional(),
  ),
  STRIPE_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .regex(/^whsec_\S+$/, "must be the endpoint's signing secret (whsec_…)")
      .optional(),
  ),
  CLAWCALL_STRIPE_PACKAGES: z.string().default(DEFAULT_PACKAGES),
  CLAWCALL_STRIPE_CURRENCY: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, "must be a three-letter currency code such as usd")
    .default("usd")
    .transform((v) => v.toLowerCase()),
  // Points the Stripe SDK at another API origin, such as a local fake in tests.
  CLAWCALL_STRIPE_API_BASE: url.pipe(
    z
      .string()
      .regex(/^https?:\/\/[^/?#]+\/?$/, "must be an http(s) origin with no path, e.g. http://127.0.0.1:12111")
      .optional(),
  ),
};

export interface PaymentSettings extends SaleSettings {
  /** Set only when both Stripe secrets are. */
  stripe: StripeSettings | undefined;
}

/** The payment settings, or the problems with them in words that name each variable. */
export function paymentSettings(
  e: EnvValues<typeof PAYMENT_ENV>,
): { ok: true; settings: PaymentSettings } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  // Half a Stripe setup would sell time it can never credit (or verify webhooks for nothing).
  if (e.STRIPE_SECRET_KEY && !e.STRIPE_WEBHOOK_SECRET)
    problems.push("STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set");
  if (e.STRIPE_WEBHOOK_SECRET && !e.STRIPE_SECRET_KEY)
    problems.push("STRIPE_SECRET_KEY: required when STRIPE_WEBHOOK_SECRET is set");
  const packages: CallTimePackage[] | string = parsePackages(e.CLAWCALL_STRIPE_PACKAGES);
  if (typeof packages === "string") problems.push(`CLAWCALL_STRIPE_PACKAGES: ${packages}`);
  if (problems.length > 0 || typeof packages === "string") return { ok: false, problems };
  return {
    ok: true,
    settings: {
      stripe:
        e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET
          ? {
              secretKey: e.STRIPE_SECRET_KEY,
              webhookSecret: e.STRIPE_WEBHOOK_SECRET,
              apiBase: e.CLAWCALL_STRIPE_API_BASE,
            }
          : undefined,
      packages,
      currency: e.CLAWCALL_STRIPE_CURRENCY,
    },
  };
}
