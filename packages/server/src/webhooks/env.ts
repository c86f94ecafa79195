import { z } from "zod";
import { bool, type EnvValues, seconds } from "../env/fields.ts";

/** Outbound webhooks' variables. */
export const WEBHOOK_ENV = {
  /** Lets webhooks reach loopback addresses over plain http: for tests and local development only. */
  CLAWCALL_WEBHOOKS_ALLOW_LOOPBACK: bool(false),
  /** Waits between attempts, in seconds; the last one repeats until the delivery gives up. */
  CLAWCALL_WEBHOOKS_RETRY_SECONDS: z
    .string()
    .trim()
    .default("10,30,120,600,1800,3600,7200,14400,28800")
    .pipe(
      z
        .string()
        .regex(
          /^\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*$/,
          "must be seconds separated by commas, such as 10,30,120",
        ),
    ),
  /** How long after its event a delivery is still tried. */
  CLAWCALL_WEBHOOKS_GIVE_UP_SECONDS: seconds(86_400),
  /** How often each node looks for deliveries that are due. */
  CLAWCALL_WEBHOOKS_POLL_SECONDS: seconds(2),
};

export interface WebhookSettings {
  allowLoopback: boolean;
  retrySeconds: number[];
  giveUpSeconds: number;
  pollSeconds: number;
}

export function webhookSettings(e: EnvValues<typeof WEBHOOK_ENV>): WebhookSettings {
  return {
    allowLoopback: e.CLAWCALL_WEBHOOKS_ALLOW_LOOPBACK,
    retrySeconds: e.CLAWCALL_WEBHOOKS_RETRY_SECONDS.split(",").map((s) => Number(s.trim())),
    giveUpSeconds: e.CLAWCALL_WEBHOOKS_GIVE_UP_SECONDS,
    // Never a busy loop, whatever is configured.
    pollSeconds: Math.max(0.05, e.CLAWCALL_WEBHOOKS_POLL_SECONDS),
  };
}
