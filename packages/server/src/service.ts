import { randomUUID } from "node:crypto";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./api/app.ts";
import type { VendorRoutes } from "./api/context.ts";
import { RecordingLinks } from "./api/recording-links.ts";
import { Billing } from "./billing/billing.ts";
import { CallService } from "./calls/call-service.ts";
import type { ConversationEngine } from "./calls/conversation.ts";
import { IdempotencyKeys } from "./calls/idempotency.ts";
import { NumberPool, sandboxCallerNumbers } from "./calls/number-pool.ts";
import { CallSupervisor } from "./calls/supervisor.ts";
import { type Config, ConfigError, type Env, loadConfig } from "./config/config.ts";
import type { Mailer } from "./mail/mail.ts";
import { registerRemoteMcp } from "./mcp/remote-mcp.ts";
import { AuthorizationServer } from "./oauth/authorization-server.ts";
import { createLogger, type Logger } from "./observability/logger.ts";
import { createMetrics } from "./observability/metrics.ts";
import { startMetricsServer } from "./observability/metrics-server.ts";
import type { Payments } from "./payments/payments.ts";
import { stripeVendorRoutes } from "./payments/webhook-route.ts";
import { createSandboxCallees } from "./sandbox/callees.ts";
import { SandboxNetwork } from "./sandbox/network.ts";
import { ShownCodes } from "./sandbox/shown-codes.ts";
import { createSandboxSpeech, type SandboxSpeech } from "./sandbox/speech/sandbox-speech.ts";
import { loadSecret } from "./secret.ts";
import { openDatabase } from "./store/database.ts";
import { type LiveStore, MemoryLiveStore } from "./store/live-store.ts";
import type { Carrier } from "./telephony/carrier.ts";
import { shareCarrier } from "./telephony/carrier-switchboard.ts";
import { Webhooks } from "./webhooks/webhooks.ts";
import { greetingAudio } from "./wiring/greeting-audio.ts";
import { createAccountPhones, serviceVoice } from "./wiring/phone-verification.ts";
import { type BuiltVoiceAgent, createConversationEngine } from "./wiring/voice-agent.ts";

export interface ServiceOptions {
  env: Env;
  /** Replaces the conversation engine built from the configuration (tests, embedding). */
  engine?: ConversationEngine;
  logger?: Logger;
}

export interface RunningService {
  url: string;
  /** Where Prometheus scrapes: the public port, or CLAWCALL_METRICS_PORT's own. */
  metricsUrl: string;
  config: Config;
  app: FastifyInstance;
  calls: CallService;
  billing: Billing;
  supervisor: CallSupervisor;
  webhooks: Webhooks;
  /** Lines for the start-up banner: what is active and what is missing for real calls. */
  describe(): string[];
  close(): Promise<void>;
}

/** The composition root: config, storage, carrier, providers, HTTP. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const config = loadConfig(options.env);
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const nodeId = config.nodeId ?? randomUUID();
  const db = await openDatabase(config);
  const billing = new Billing(db, config.billing);
  const liveLifetime = config.limits.maxCallSeconds + 300;
  // The Redis client is loaded only when configured, as the vendor SDKs below are.
  const live: LiveStore = config.redisUrl
    ? new (await import("./store/redis-live-store.ts")).RedisLiveStore(config.redisUrl, liveLifetime)
    : new MemoryLiveStore(liveLifetime);
  const secret = loadSecret(config.secret, config.dataDir);
  const recordings = new RecordingLinks(
    path.join(config.dataDir, "recordings"),
    secret,
    () => config.publicUrl,
    config.limits.recordingTtlSeconds,
  );
  recordings.start();

  let carrier: Carrier;
  let numbers: string[];
  const vendorRoutes: VendorRoutes[] = [];
  let sandboxSpeech: SandboxSpeech | undefined;
  // The service's own voice (verification calls, handoff greetings), set once the voice agent is built.
  let voice: ReturnType<typeof serviceVoice> | undefined;
  // What the sandbox's simulated phone owners were shown by phone verifications.
  const shownCodes = new ShownCodes();
  if (config.carrier.kind === "sandbox") {
    numbers =
      config.carrier.callerNumbers.length > 0
        ? config.carrier.callerNumbers
        : sandboxCallerNumbers(config.carrier.sandbox.poolSize);
    sandboxSpeech = createSandboxSpeech({
      cacheDir: config.carrier.sandbox.speechCacheDir,
      usePocketsphinx: config.carrier.sandbox.usePocketsphinx,
    });
    carrier = new SandboxNetwork(
      {
        ringSeconds: config.carrier.sandbox.ringSeconds,
        onFrameJitter: (ms) => metrics.sandboxFrameJitter.observe(ms / 1000),
      },
      createSandboxCallees(config.carrier.sandbox, sandboxSpeech, recordings, logger, shownCodes),
      logger,
    );
  } else {
    const t = config.carrier.telnyx;
    // Loaded only for Telnyx, like the model vendors' SDKs: the sandbox never needs it.
    const { createTelnyxCarrier, telnyxVendorRoutes } = await import("./telephony/telnyx/index.ts");
    const telnyx = createTelnyxCarrier({
      apiKey: t.apiKey!,
      publicKey: t.publicKey!,
      connectionId: t.connectionId!,
      publicBaseUrl: config.publicUrl,
      streamSecret: secret,
      baseURL: t.baseUrl,
      answeringMachineDetection: t.answeringMachineDetection,
      // Handoffs happen only once the service runs, by when the voice is built.
      greetingAudio: greetingAudio(() => voice!.tts, recordings, logger),
      logger,
    });
    carrier = telnyx;
    numbers = config.carrier.callerNumbers;
    vendorRoutes.push(telnyxVendorRoutes(telnyx));
  }
  let payments: Payments | undefined;
  if (config.payments.stripe) {
    // Loaded only when Stripe is configured, like the vendors' SDKs: a service without payments never
    // pays for it.
    const { createStripePayments } = await import("./payments/stripe-payments.ts");
    payments = createStripePayments(config.payments.stripe, config.payments, {
      db,
      billing,
      logger,
      publicUrl: () => config.publicUrl,
    });
    vendorRoutes.push(stripeVendorRoutes(payments));
  }
  let mailer: Mailer | undefined;
  if (config.mail) {
    // Loaded only when outgoing mail is configured: a service without it never loads nodemailer.
    const { createSmtpMailer } = await import("./mail/smtp-mailer.ts");
    mailer = createSmtpMailer(config.mail, logger);
  }
  const built: BuiltVoiceAgent = options.engine
    ? {
        engine: options.engine,
        describe: () => ["voice agent: supplied by the embedding application"],
        close: async () => {},
      }
    : await createConversationEngine(config, logger, sandboxSpeech, metrics);
  const webhooks = new Webhooks({
    db,
    live,
    secret,
    settings: config.webhooks,
    logger,
    metrics,
    nodeId,
    singleNode: config.database.kind === "sqlite",
    recordingsFollowHangup: carrier.recordingsFollowHangup,
  });
  // Each call holds one caller number, so the channel limit is met by leasing only that many.
  const pool = new NumberPool(db, numbers, config.carrier.channelLimit);
  // Calls and phone verification calls share the carrier; each hears only its own calls' events.
  const lines = shareCarrier(carrier);
  const ownVoice = serviceVoice(built.tts);
  voice = ownVoice;
  const accountPhones = createAccountPhones({
    db,
    carrier: lines.side,
    pool,
    logger,
    tts: ownVoice.tts,
    ...(sandboxSpeech ? { sandbox: { spokenText: sandboxSpeech.spokenText, shownCodes } } : {}),
  });
  const calls = new CallService({
    db,
    billing,
    carrier: lines.main,
    live,
    pool,
    engine: built.engine,
    limits: config.limits,
    logger,
    metrics,
    nodeId,
    hooks: webhooks.hooks,
  });
  const supervisor = new CallSupervisor(
    calls,
    {
      nodeId,
      singleNode: config.database.kind === "sqlite",
      reaperIntervalSeconds: config.limits.reaperIntervalSeconds,
      maxCallSeconds: config.limits.maxCallSeconds,
      maxRingSeconds: 60,
    },
    logger,
  );
  await calls.listenForControl();
  await supervisor.recover();
  supervisor.start();
  await webhooks.start();

  const oauth = new AuthorizationServer(db, billing);
  const app = await buildApp({
    config,
    db,
    billing,
    oauth,
    calls,
    phones: accountPhones,
    live,
    metrics,
    logger,
    recordings,
    recordingsFollowHangup: carrier.recordingsFollowHangup,
    idempotency: new IdempotencyKeys(db, secret),
    secret,
    payments,
    mailer,
    webhooks,
    vendorRoutes,
  });
  registerRemoteMcp(app, { oauth, billing, logger, publicUrl: () => config.publicUrl });
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  const shutdown = async () => {
    supervisor.stop();
    await metricsServer?.close();
    await app.close();
    await mailer?.close();
    await carrier.close();
    // Let the carrier's final events settle the calls it just ended.
    await new Promise((r) => setTimeout(r, 50));
    recordings.close();
    // Calls finalized on the way out have written their events; the worker sends them after a restart.
    await webhooks.stop();
    await built.close();
    await voice?.close();
    await sandboxSpeech?.close();
    await live.close();
    await db.destroy();
  };
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await shutdown();
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new ConfigError([
        `PORT: ${config.port} on ${config.host} is already in use; stop what listens there or set PORT to another port`,
      ]);
    }
    throw err;
  }
  if (config.metrics) {
    try {
      metricsServer = await startMetricsServer(metrics, config.metrics);
    } catch (err) {
      await shutdown();
      throw err;
    }
  }
  const url = address.replace("[::1]", "localhost");
  // Without a configured public URL, links point where the service really listens (e.g. on PORT=0).
  if (!options.env.CLAWCALL_PUBLIC_URL) config.publicUrl = url;

  const describe = () => [
    `listening on ${url}`,
    `storage: ${config.database.kind === "sqlite" ? `SQLite at ${config.database.file}` : "PostgreSQL"}; live data: ${config.redisUrl ? "Redis" : "in memory"}`,
    `carrier: ${carrier.name}${carrier.name === "sandbox" ? " (simulated phone network: magic numbers +1NPA5550100-0119, scripted callees)" : ""}`,
    `payments: ${payments ? payments.describe() : "off (the purchase page shows CLAWCALL_PURCHASE_TEXT)"}`,
    mailer
      ? `mail: ${mailer.describe()}; sign-up confirms each address with a mailed link to ${config.publicUrl}`
      : "mail: off (set CLAWCALL_SMTP_URL and CLAWCALL_MAIL_FROM): sign-up cannot verify addresses and tells whether an email has an account",
    `metrics: ${metricsServer ? metricsServer.url : `${url}/metrics`}`,
    ...webhooks.describe(),
    ...built.describe(),
  ];

  let closing: Promise<void> | null = null;
  return {
    url,
    metricsUrl: metricsServer?.url ?? `${url}/metrics`,
    config,
    app,
    calls,
    billing,
    supervisor,
    webhooks,
    describe,
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
