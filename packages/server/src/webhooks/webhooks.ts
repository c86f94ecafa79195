// Room webhooks/: outbound webhooks: wallets' subscriptions and signing secrets, the outbox written with each call's moments, its delivery.
import type { WebhookDelivery, WebhookEventType } from "@clawcall/contract";
import type { CallHooks } from "../calls/call-hooks.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Db } from "../store/database.ts";
import type { LiveStore } from "../store/live-store.ts";
import { CallEventWriter } from "./call-events.ts";
import { DeliveryWorker } from "./delivery-worker.ts";
import { type Endpoint, Endpoints } from "./endpoints.ts";
import type { WebhookSettings } from "./env.ts";
import { type DeliveryRow, Outbox } from "./outbox.ts";
import { SecretBox } from "./secret-box.ts";
import { checkTarget } from "./target.ts";

export type { WebhookSettings } from "./env.ts";

export interface WebhookDeps {
  db: Db;
  live: LiveStore;
  /** The service secret: the signing secrets are sealed under it. */
  secret: string;
  settings: WebhookSettings;
  logger: Logger;
  metrics: Metrics;
  nodeId: string;
  /** SQLite: one process, so every lease found at start-up belongs to a process that is gone. */
  singleNode: boolean;
  recordingsFollowHangup: boolean;
}

/** A URL refused at subscribe time, with the reason a client can act on. */
export class WebhookUrlRefused extends Error {}

/**
 * Outbound webhooks: the API's view of a wallet's subscription and deliveries, the hooks the calls room
 * writes events through, and the delivery worker.
 */
export class Webhooks {
  readonly hooks: CallHooks;
  private readonly endpoints: Endpoints;
  private readonly outbox: Outbox;
  private readonly worker: DeliveryWorker;

  constructor(private readonly deps: WebhookDeps) {
    this.endpoints = new Endpoints(deps.db, new SecretBox(deps.secret));
    this.outbox = new Outbox(deps.db);
    this.worker = new DeliveryWorker({ ...deps, endpoints: this.endpoints });
    this.hooks = new CallEventWriter(deps.db, this.endpoints, deps.recordingsFollowHangup, () =>
      this.worker.wake(),
    );
  }

  async start(): Promise<void> {
    if (this.deps.singleNode) await this.outbox.releaseAll();
    this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** Lines for the start-up banner. */
  describe(): string[] {
    const s = this.deps.settings;
    return [
      s.allowLoopback
        ? "webhooks: LOOPBACK ALLOWED (CLAWCALL_WEBHOOKS_ALLOW_LOOPBACK): plain http to this machine is sent; for tests only"
        : "webhooks: https only, never to private or loopback addresses",
    ];
  }

  get(owner: string): Promise<Endpoint | null> {
    return this.endpoints.get(owner);
  }

  /** Refuses (WebhookUrlRefused) a URL no delivery could be sent to. */
  async checkUrl(url: string): Promise<void> {
    const check = await checkTarget(url, this.deps.settings.allowLoopback);
    if (!check.ok) throw new WebhookUrlRefused(check.reason);
  }

  async subscribe(
    owner: string,
    input: { url: string; events?: WebhookEventType[]; rotate_secret?: boolean },
    now = new Date(),
  ): Promise<{ endpoint: Endpoint; secret?: string }> {
    await this.checkUrl(input.url);
    return this.endpoints.put(
      owner,
      {
        url: input.url,
        ...(input.events ? { events: input.events } : {}),
        rotate: input.rotate_secret ?? false,
      },
      now,
    );
  }

  /** Removes the webhook and its secret; what was still to be sent is given up. */
  async unsubscribe(owner: string): Promise<void> {
    await this.endpoints.remove(owner);
    await this.outbox.cancelPending(owner, "the webhook was removed");
  }

  /** The wallet's signing secret for a call's own webhook_url: made now when there is none (and returned). */
  ensureSecret(owner: string, now = new Date()): Promise<string | undefined> {
    return this.endpoints.ensureSecret(owner, now);
  }

  /**
   * A placement that made the wallet's secret and then placed nothing forgets it, so the next call with a
   * webhook_url makes (and shows) one again instead of signing with a secret nobody saw.
   */
  discardSecret(owner: string, secret: string): Promise<void> {
    return this.endpoints.discardUnused(owner, secret);
  }

  async deliveries(
    owner: string,
    filter: { limit: number; status?: DeliveryRow["status"]; callId?: string },
  ): Promise<WebhookDelivery[]> {
    return (await this.outbox.list(owner, filter)).map(deliveryView);
  }

  /** Sends a delivery's event again, as a new delivery with the same event id; null for none of the owner's. */
  async replay(owner: string, id: string, now = new Date()): Promise<WebhookDelivery | null> {
    const original = await this.outbox.get(owner, id);
    if (!original) return null;
    const [newId] = await this.outbox.add([{ ...original, replay_of: original.id }], now);
    this.worker.wake();
    const made = newId ? await this.outbox.get(owner, newId) : undefined;
    return made ? deliveryView(made) : null;
  }
}

function deliveryView(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    event_id: row.event_id,
    event_type: row.event_type as WebhookEventType,
    call_id: row.call_id,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: row.created_at,
    next_attempt_at: row.status === "pending" ? row.next_attempt_at : null,
    delivered_at: row.delivered_at,
    replay_of: row.replay_of,
  };
}
