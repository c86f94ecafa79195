// Room config/: every setting, parsed once from the environment into the plain settings rooms receive.
import path from "node:path";
import { isNanpNumber } from "@clawcall/contract";
import { z } from "zod";
import type { BillingSettings } from "../billing/billing.ts";
import { bool, int, optionalString, seconds, url } from "../env/fields.ts";
import { MAIL_ENV, mailSettings } from "../mail/env.ts";
import { PAYMENT_ENV, paymentSettings } from "../payments/env.ts";
import { PROVIDER_ENV, providerSettings } from "../providers/env.ts";
import type { DatabaseSettings } from "../store/database.ts";
import { missingTelnyxSettings, TELNYX_ENV, telnyxSettings } from "../telephony/telnyx/env.ts";
import { WEBHOOK_ENV, webhookSettings } from "../webhooks/env.ts";
import { parseTrustedProxies } from "./trusted-proxies.ts";

/**
 * Every setting of the service, parsed once at boot from environment variables. This is the only module
 * that reads them: the rest of the service receives plain settings. Vendor variables keep their
 * conventional names and are declared by their adapters; ClawCall's own are CLAWCALL_*.
 */
const EnvSchema = z.object({
  PORT: int(8787).pipe(z.number().max(65535)),
  HOST: z.string().default("127.0.0.1"),
  CLAWCALL_DATA_DIR: z.string().default("./data"),
  CLAWCALL_PUBLIC_URL: url,
  CLAWCALL_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  CLAWCALL_TRUST_PROXY: bool(false),
  CLAWCALL_TRUSTED_PROXIES: optionalString,
  CLAWCALL_REQUEST_TIMEOUT_SECONDS: int(30, 1),
  CLAWCALL_CONNECTIONS_PER_ADDRESS: int(64, 1),
  CLAWCALL_SECRET: optionalString,
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL (SQLite is the default when unset)")
      .optional(),
  ),
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// URL")
      .optional(),
  ),
  CLAWCALL_NODE_ID: optionalString,

  CLAWCALL_FREE_SECONDS: int(1200),
  CLAWCALL_SIGNUP_GRANT_SECONDS: int(0),
  CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: int(3, 1),
  CLAWCALL_MINTS_PER_HOUR: int(20, 1),
  CLAWCALL_REQUESTS_PER_MINUTE: int(600, 1),
  CLAWCALL_WEBHOOKS_PER_MINUTE: int(3000, 1),
  CLAWCALL_STREAMS_PER_KEY: int(10, 1),
  CLAWCALL_FREE_RINGING_PER_CLIENT: int(3, 1),
  CLAWCALL_FREE_RING_COUNTS: bool(true),
  CLAWCALL_METRICS_PORT: optionalString.pipe(
    z.coerce.number<string | undefined>().int().min(0).max(65535).optional(),
  ),
  CLAWCALL_METRICS_HOST: z.string().default("127.0.0.1"),
  CLAWCALL_MAX_CALL_SECONDS: int(1800, 10),
  CLAWCALL_FIRST_TOKEN_SECONDS: seconds(2),
  CLAWCALL_REPLY_TIMEOUT_SECONDS: seconds(6),
  CLAWCALL_TRANSCRIPT_TTL_SECONDS: int(3600, 1),
  CLAWCALL_RECORDING_TTL_SECONDS: int(600, 1),
  CLAWCALL_REAPER_INTERVAL_SECONDS: seconds(15),
  CLAWCALL_PURCHASE_TEXT: z
    .string()
    .default("Call time is sold by the operator of this ClawCall service. Contact them to buy minutes."),
  CLAWCALL_PURCHASE_URL: url,
  ...PAYMENT_ENV,
  ...MAIL_ENV,
  ...WEBHOOK_ENV,

  CLAWCALL_CARRIER: z.enum(["sandbox", "telnyx"]).default("sandbox"),
  CLAWCALL_CALLER_NUMBERS: optionalString,
  CLAWCALL_CHANNEL_LIMIT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).optional()),
  CLAWCALL_SANDBOX_RING_SECONDS: seconds(5),
  CLAWCALL_SANDBOX_POOL_SIZE: int(20, 1),
  CLAWCALL_SANDBOX_HOLD_SECONDS: seconds(20),
  CLAWCALL_SANDBOX_SPEECH_CACHE: optionalString,
  CLAWCALL_SANDBOX_POCKETSPHINX: bool(true),

  ...TELNYX_ENV,
  ...PROVIDER_ENV,
});

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function parseEnv(env: Env) {
  // Only the variables this schema knows are read; an empty string means "unset" for optional ones.
  const known = Object.fromEntries(
    Object.keys(EnvSchema.shape).flatMap((k) => {
      const v = env[k];
      return v === undefined || (v === "" && k !== "CLAWCALL_PURCHASE_TEXT") ? [] : [[k, v]];
    }),
  );
  const parsed = EnvSchema.safeParse(known);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${String(i.path[0] ?? "environment")}: ${i.message}`),
    );
  }
  return parsed.data;
}

export function loadConfig(env: Env) {
  const e = parseEnv(env);
  const dataDir = path.resolve(e.CLAWCALL_DATA_DIR);
  const problems: string[] = [];
  if (e.CLAWCALL_CARRIER === "telnyx") {
    problems.push(...missingTelnyxSettings(e));
    if (!e.CLAWCALL_PUBLIC_URL) problems.push("CLAWCALL_PUBLIC_URL: required when CLAWCALL_CARRIER=telnyx");
    if (!e.CLAWCALL_CALLER_NUMBERS)
      problems.push("CLAWCALL_CALLER_NUMBERS: required when CLAWCALL_CARRIER=telnyx");
  }
  const callerNumbers = (e.CLAWCALL_CALLER_NUMBERS ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  for (const n of callerNumbers) {
    if (!isNanpNumber(n)) problems.push(`CLAWCALL_CALLER_NUMBERS: "${n}" is not a +1 number`);
  }
  const payments = paymentSettings(e);
  if (!payments.ok) problems.push(...payments.problems);
  const mail = mailSettings(e);
  if (!mail.ok) problems.push(...mail.problems);
  const trustedProxies = parseTrustedProxies(e.CLAWCALL_TRUSTED_PROXIES, e.CLAWCALL_TRUST_PROXY);
  if (typeof trustedProxies === "string") problems.push(trustedProxies);
  if (problems.length > 0 || !payments.ok || !mail.ok || typeof trustedProxies === "string")
    throw new ConfigError(problems);

  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    publicUrl: (e.CLAWCALL_PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, ""),
    logLevel: e.CLAWCALL_LOG_LEVEL,
    trustedProxies,
    /** Serve /metrics on this port only (not on the public one); unset: on the public port, rate-limited. */
    metrics:
      e.CLAWCALL_METRICS_PORT === undefined
        ? undefined
        : { port: e.CLAWCALL_METRICS_PORT, host: e.CLAWCALL_METRICS_HOST },
    secret: e.CLAWCALL_SECRET,
    nodeId: e.CLAWCALL_NODE_ID,
    database: (e.DATABASE_URL
      ? ({ kind: "postgres", url: e.DATABASE_URL } as const)
      : ({
          kind: "sqlite",
          file: path.join(dataDir, "clawcall.sqlite"),
        } as const)) satisfies DatabaseSettings,
    redisUrl: e.REDIS_URL,
    billing: {
      freeSeconds: e.CLAWCALL_FREE_SECONDS,
      signupGrantSeconds: e.CLAWCALL_SIGNUP_GRANT_SECONDS,
      purchaseText: e.CLAWCALL_PURCHASE_TEXT,
      purchaseUrl: e.CLAWCALL_PURCHASE_URL,
    } satisfies BillingSettings,
    payments: payments.settings,
    /** Outgoing mail for sign-up links; undefined when CLAWCALL_SMTP_URL is unset. */
    mail: mail.settings,
    webhooks: webhookSettings(e),
    limits: {
      maxActiveCallsPerKey: e.CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY,
      mintsPerHour: e.CLAWCALL_MINTS_PER_HOUR,
      requestsPerMinute: e.CLAWCALL_REQUESTS_PER_MINUTE,
      webhooksPerMinute: e.CLAWCALL_WEBHOOKS_PER_MINUTE,
      streamsPerKey: e.CLAWCALL_STREAMS_PER_KEY,
      freeRingingPerClient: e.CLAWCALL_FREE_RINGING_PER_CLIENT,
      freeRingCounts: e.CLAWCALL_FREE_RING_COUNTS,
      requestTimeoutSeconds: e.CLAWCALL_REQUEST_TIMEOUT_SECONDS,
      connectionsPerAddress: e.CLAWCALL_CONNECTIONS_PER_ADDRESS,
      maxCallSeconds: e.CLAWCALL_MAX_CALL_SECONDS,
      transcriptTtlSeconds: e.CLAWCALL_TRANSCRIPT_TTL_SECONDS,
      recordingTtlSeconds: e.CLAWCALL_RECORDING_TTL_SECONDS,
      reaperIntervalSeconds: e.CLAWCALL_REAPER_INTERVAL_SECONDS,
    },
    carrier: {
      kind: e.CLAWCALL_CARRIER,
      callerNumbers,
      channelLimit: e.CLAWCALL_CHANNEL_LIMIT,
      sandbox: {
        ringSeconds: e.CLAWCALL_SANDBOX_RING_SECONDS,
        poolSize: e.CLAWCALL_SANDBOX_POOL_SIZE,
        holdSeconds: e.CLAWCALL_SANDBOX_HOLD_SECONDS,
        usePocketsphinx: e.CLAWCALL_SANDBOX_POCKETSPHINX,
        // Synthesised callee lines are deterministic, so several data folders may share one cache.
        speechCacheDir: e.CLAWCALL_SANDBOX_SPEECH_CACHE
          ? path.resolve(e.CLAWCALL_SANDBOX_SPEECH_CACHE)
          : path.join(dataDir, "sandbox-speech"),
      },
      telnyx: telnyxSettings(e),
    },
    providers: providerSettings(e),
    agent: {
      firstTokenDeadlineMs: e.CLAWCALL_FIRST_TOKEN_SECONDS * 1000,
      replyTimeoutMs: e.CLAWCALL_REPLY_TIMEOUT_SECONDS * 1000,
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;
