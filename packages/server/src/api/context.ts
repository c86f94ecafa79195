import type { Tier } from "@clawcall/contract";
import type { FastifyInstance } from "fastify";
import type { Billing } from "../billing/billing.ts";
import type { ApiKeyRecord } from "../billing/keys.ts";
import type { CallService } from "../calls/call-service.ts";
import type { IdempotencyKeys } from "../calls/idempotency.ts";
import type { Config } from "../config/config.ts";
import type { Mailer } from "../mail/mail.ts";
import type { AuthorizationServer } from "../oauth/authorization-server.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Payments } from "../payments/payments.ts";
import type { AccountPhones } from "../phones/account-phones.ts";
import type { Db } from "../store/database.ts";
import type { LiveStore } from "../store/live-store.ts";
import type { Webhooks } from "../webhooks/webhooks.ts";
import type { FinalCalls } from "./final-calls.ts";
import type { LimitLog } from "./limit-log.ts";
import type { RecordingLinks } from "./recording-links.ts";

/** What the HTTP layer needs from the rest of the service. */
export interface ApiContext {
  config: Config;
  db: Db;
  billing: Billing;
  calls: CallService;
  /** Accounts' own phones: their verification calls, and the hand-off target of `loop_in_user`. */
  phones: AccountPhones;
  live: LiveStore;
  metrics: Metrics;
  logger: Logger;
  recordings: RecordingLinks;
  /** The carrier sends recording links after the hang-up (results may say one is pending). */
  recordingsFollowHangup: boolean;
  /** The configured payment integration; without one the purchase page shows the operator's text. */
  payments?: Payments;
  /** Outgoing mail; with it sign-up is finished from a mailed link, without it at once. */
  mailer?: Mailer;
  /** OAuth for remote MCP clients: registered clients, codes, tokens bound to an account. */
  oauth: AuthorizationServer;
  /** Signs what pages hand back in hidden fields (and recording links). */
  secret: string;
  /** `Idempotency-Key` claims of POST /call, shared by every node. */
  idempotency: IdempotencyKeys;
  /** Logs refusals by a limit, sampled (made by buildApp). */
  limitLog: LimitLog;
  /** Outbound webhooks: wallets' subscriptions and their deliveries. */
  webhooks: Webhooks;
  /** Rows and views of calls that can no longer change (made by buildApp). */
  finalCalls: FinalCalls;
  /** Routes the carrier and payment adapters serve themselves (webhooks, media WebSockets). */
  vendorRoutes?: readonly VendorRoutes[];
}

/** Routes a vendor adapter mounts itself, all under one path prefix. */
export interface VendorRoutes {
  /** Requests under it are verified by the vendor's signature and limited as webhooks, per sender. */
  prefix: string;
  register(app: FastifyInstance): Promise<void>;
}

/** The key a request was made with (or that was minted for it), once authenticated. */
export interface KeyContext {
  raw: string;
  record: ApiKeyRecord;
  minted: boolean;
  /** Cached for the request so the body and the headers agree. */
  balance?: number;
  tier?: Tier;
}

declare module "fastify" {
  interface FastifyRequest {
    key: KeyContext | null;
  }
}
