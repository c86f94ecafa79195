import path from "node:path";
import { isNanpNumber } from "@clawcall/contract";
import { z } from "zod";
import type { BillingSettings } from "../billing/billing.ts";
import { DEFAULT_PACKAGES, parsePackages } from "../payments/packages.ts";
import type { StripeSettings } from "../payments/stripe-payments.ts";
import type { ProviderSettings } from "../providers/index.ts";
import type { DatabaseSettings } from "../store/database.ts";
import { parseTrustedProxies } from "./trusted-proxies.ts";

/**
 * Every setting of the service, parsed once at boot from environment variables. This is the only module
 * that reads them: the rest of the service receives a typed Config. Vendor variables keep their
 * conventional names; ClawCall's own are CLAWCALL_*.
 */
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const seconds = (def: number) => z.coerce.number().min(0).default(def);
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();
const bool = (def: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(def ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");
const url = z
  .string()
  .trim()
  .url()
  .optional()
  .or(z.literal("").transform(() => undefined));

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
  CLAWCALL_TRANSCRIPT_TTL_SECONDS: int(3600, 1),
  CLAWCALL_RECORDING_TTL_SECONDS: int(600, 1),
  CLAWCALL_REAPER_INTERVAL_SECONDS: seconds(15),
  CLAWCALL_PURCHASE_TEXT: z
    .string()
    .default("Call time is sold by the operator of this ClawCall service. Contact them to buy minutes."),
  CLAWCALL_PURCHASE_URL: url,
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

  CLAWCALL_CARRIER: z.enum(["sandbox", "telnyx"]).default("sandbox"),
  CLAWCALL_CALLER_NUMBERS: optionalString,
  CLAWCALL_CHANNEL_LIMIT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).optional()),
  CLAWCALL_SANDBOX_RING_SECONDS: seconds(5),
  CLAWCALL_SANDBOX_POOL_SIZE: int(20, 1),
  CLAWCALL_SANDBOX_HOLD_SECONDS: seconds(20),
  CLAWCALL_SANDBOX_SPEECH_CACHE: optionalString,

  TELNYX_API_KEY: optionalString,
  TELNYX_PUBLIC_KEY: optionalString,
  TELNYX_CONNECTION_ID: optionalString,
  // Points the Telnyx adapter at another API base, such as the emulator in tests.
  TELNYX_BASE_URL: url,
  TELNYX_AMD: z.enum(["detect_beep", "premium", "disabled"]).default("detect_beep"),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url,
  OPENAI_MODEL: optionalString,
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: url,
  ANTHROPIC_MODEL: optionalString,
  CLAWCALL_LLM: z.enum(["openai", "anthropic"]).optional(),
  DEEPGRAM_API_KEY: optionalString,
  DEEPGRAM_BASE_URL: url,
  ELEVENLABS_API_KEY: optionalString,
  ELEVENLABS_BASE_URL: url,
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
    for (const k of [
      "TELNYX_API_KEY",
      "TELNYX_PUBLIC_KEY",
      "TELNYX_CONNECTION_ID",
      "CLAWCALL_PUBLIC_URL",
    ] as const) {
      if (!e[k]) problems.push(`${k}: required when CLAWCALL_CARRIER=telnyx`);
    }
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
  // Half a Stripe setup would sell time it can never credit (or verify webhooks for nothing).
  if (e.STRIPE_SECRET_KEY && !e.STRIPE_WEBHOOK_SECRET)
    problems.push("STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set");
  if (e.STRIPE_WEBHOOK_SECRET && !e.STRIPE_SECRET_KEY)
    problems.push("STRIPE_SECRET_KEY: required when STRIPE_WEBHOOK_SECRET is set");
  const trustedProxies = parseTrustedProxies(e.CLAWCALL_TRUSTED_PROXIES, e.CLAWCALL_TRUST_PROXY);
  if (typeof trustedProxies === "string") problems.push(trustedProxies);
  const packages = parsePackages(e.CLAWCALL_STRIPE_PACKAGES);
  if (typeof packages === "string") problems.push(`CLAWCALL_STRIPE_PACKAGES: ${packages}`);
  if (problems.length > 0 || typeof packages === "string" || typeof trustedProxies === "string")
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
    payments: {
      stripe:
        e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET
          ? ({
              secretKey: e.STRIPE_SECRET_KEY,
              webhookSecret: e.STRIPE_WEBHOOK_SECRET,
              apiBase: e.CLAWCALL_STRIPE_API_BASE,
            } satisfies StripeSettings)
          : undefined,
      packages,
      currency: e.CLAWCALL_STRIPE_CURRENCY,
    },
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
        // Synthesised callee lines are deterministic, so several data folders may share one cache.
        speechCacheDir: e.CLAWCALL_SANDBOX_SPEECH_CACHE
          ? path.resolve(e.CLAWCALL_SANDBOX_SPEECH_CACHE)
          : path.join(dataDir, "sandbox-speech"),
      },
      telnyx: {
        apiKey: e.TELNYX_API_KEY,
        publicKey: e.TELNYX_PUBLIC_KEY,
        connectionId: e.TELNYX_CONNECTION_ID,
        baseUrl: e.TELNYX_BASE_URL,
        answeringMachineDetection: e.TELNYX_AMD,
      },
    },
    providers: {
      // A base URL alone is enough for a local OpenAI-compatible server (Ollama, llama.cpp, vLLM).
      openai:
        e.OPENAI_API_KEY || e.OPENAI_BASE_URL
          ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL }
          : undefined,
      anthropic: e.ANTHROPIC_API_KEY
        ? { apiKey: e.ANTHROPIC_API_KEY, baseUrl: e.ANTHROPIC_BASE_URL, model: e.ANTHROPIC_MODEL }
        : undefined,
      deepgram: e.DEEPGRAM_API_KEY ? { apiKey: e.DEEPGRAM_API_KEY, baseUrl: e.DEEPGRAM_BASE_URL } : undefined,
      elevenlabs: e.ELEVENLABS_API_KEY
        ? { apiKey: e.ELEVENLABS_API_KEY, baseUrl: e.ELEVENLABS_BASE_URL }
        : undefined,
      prefer: { llm: e.CLAWCALL_LLM },
    } satisfies ProviderSettings,
  };
}

export type Config = ReturnType<typeof loadConfig>;
