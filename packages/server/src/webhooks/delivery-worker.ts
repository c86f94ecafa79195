import { randomBytes } from "node:crypto";
import {
  HEADER_WEBHOOK_DELIVERY_ID,
  HEADER_WEBHOOK_EVENT_ID,
  HEADER_WEBHOOK_EVENT_TYPE,
  HEADER_WEBHOOK_SIGNATURE,
} from "@clawcall/contract";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Db } from "../store/database.ts";
import type { LiveStore } from "../store/live-store.ts";
import type { Endpoints } from "./endpoints.ts";
import type { WebhookSettings } from "./env.ts";
import { type DeliveryRow, Outbox } from "./outbox.ts";
import { type SendOutcome, send } from "./sender.ts";
import { signatureHeader } from "./signature.ts";
import { checkTarget } from "./target.ts";

/** Longer than a DNS lookup and a whole attempt together, so a lease never ends while its send runs. */
const LEASE_MS = 60_000;
const BATCH = 10;
/** Settled deliveries stay listed (and replayable) this long. */
export const KEEP_SETTLED_DAYS = 30;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Sends due deliveries from the outbox: leases a batch, signs and POSTs each, and settles it: delivered
 * on a 2xx answer, otherwise tried again after the next wait of the schedule until a day (the setting)
 * has passed since its event. Every node runs one; the leases keep them off each other's rows.
 */
export class DeliveryWorker {
  private readonly outbox: Outbox;
  /** Names this worker's leases: its node, and this run of it. */
  private readonly holder: string;
  private timer: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly deps: {
      db: Db;
      live: LiveStore;
      endpoints: Endpoints;
      settings: WebhookSettings;
      logger: Logger;
      metrics: Metrics;
      nodeId: string;
    },
  ) {
    this.outbox = new Outbox(deps.db);
    this.holder = `${deps.nodeId}:${randomBytes(6).toString("base64url")}`;
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.deps.settings.pollSeconds * 1000);
    this.timer.unref();
    this.pruner = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruner.unref();
    void this.prune();
    this.wake();
  }

  private async prune(): Promise<void> {
    const before = new Date(Date.now() - KEEP_SETTLED_DAYS * 86_400_000);
    await this.outbox.prune(before).catch((err) => this.deps.logger.error({ err }, "webhook prune failed"));
  }

  /** Stops taking deliveries and waits for the attempts under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.pruner);
    await this.running;
  }

  /** Looks for due deliveries now (a new event was written, or the poll came round). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => this.deps.logger.error({ err }, "webhook deliveries failed"))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          // A little later: the transaction that woke it may not have committed yet.
          setTimeout(() => this.wake(), 20).unref();
        }
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const now = new Date();
      const batch = await this.outbox.claim(this.holder, now, new Date(now.getTime() + LEASE_MS), BATCH);
      if (batch.length === 0) return;
      // A call's events go out one after another, in the order they happened (only a retry reorders
      // them); different calls' at once. Every attempt is waited for, failed or not, so stop() returns
      // only once none is under way.
      const byCall = new Map<string, DeliveryRow[]>();
      for (const d of batch) {
        const list = byCall.get(d.call_id);
        if (list) list.push(d);
        else byCall.set(d.call_id, [d]);
      }
      await Promise.allSettled(
        [...byCall.values()].map(async (list) => {
          for (const d of list) await this.attempt(d);
        }),
      );
    }
  }

  private async attempt(d: DeliveryRow): Promise<void> {
    try {
      await this.tryOnce(d);
    } catch (err) {
      // Counted as a failed attempt, so a delivery that always breaks the service still gives up in time.
      this.deps.logger.error({ err, deliveryId: d.id }, "webhook attempt failed");
      await this.retryLater(d, d.attempts + 1, "the service could not send it", null);
    }
  }

  private async tryOnce(d: DeliveryRow): Promise<void> {
    const { endpoints, settings } = this.deps;
    const attempts = d.attempts + 1;
    const secret = await endpoints.secret(d.owner);
    if (secret === null) return this.giveUp(d, attempts, "the webhook was removed");
    const body = await this.bodyOf(d);
    if (body === null) return this.giveUp(d, attempts, "the transcript line has expired");
    const target = secret === undefined ? null : await checkTarget(d.url, settings.allowLoopback);
    let outcome: SendOutcome;
    if (secret === undefined || target === null) {
      // Retried like a failed attempt: a node that shares the secret it was sealed under may take it.
      this.deps.logger.error({ deliveryId: d.id }, "webhook secret sealed under another CLAWCALL_SECRET");
      outcome = { error: "this node cannot sign it: set one CLAWCALL_SECRET on every node" };
    } else if (!target.ok) {
      outcome = { error: `refused: ${target.reason}` };
    } else {
      const headers = {
        [HEADER_WEBHOOK_SIGNATURE]: signatureHeader(secret, Math.floor(Date.now() / 1000), body),
        [HEADER_WEBHOOK_EVENT_ID]: d.event_id,
        [HEADER_WEBHOOK_EVENT_TYPE]: d.event_type,
        [HEADER_WEBHOOK_DELIVERY_ID]: d.id,
      };
      outcome = await send(target.target, headers, body);
    }
    const now = new Date();
    if ("status" in outcome && outcome.status >= 200 && outcome.status < 300) {
      await this.outbox.settle(d.id, this.holder, {
        status: "delivered",
        attempts,
        next_attempt_at: null,
        last_status_code: outcome.status,
        last_error: null,
        delivered_at: now.toISOString(),
      });
      this.deps.metrics.webhookAttempts.inc({ result: "delivered" });
      return;
    }
    const status = "status" in outcome ? outcome.status : null;
    const error =
      "error" in outcome
        ? outcome.error
        : status !== null && status >= 300 && status < 400
          ? `answered ${status}; redirects are not followed`
          : `answered ${status}`;
    await this.retryLater(d, attempts, error, status);
  }

  /** After a failed attempt: the next one at the schedule's wait, or none once a day (the setting) has passed. */
  private async retryLater(d: DeliveryRow, attempts: number, error: string, status: number | null) {
    const { settings } = this.deps;
    const wait = settings.retrySeconds[Math.min(attempts - 1, settings.retrySeconds.length - 1)] ?? 60;
    const next = new Date(Date.now() + wait * 1000);
    if (next.getTime() > Date.parse(d.created_at) + settings.giveUpSeconds * 1000) {
      return this.giveUp(d, attempts, error, status);
    }
    this.deps.metrics.webhookAttempts.inc({ result: "retry" });
    await this.outbox.settle(d.id, this.holder, {
      status: "pending",
      attempts,
      next_attempt_at: next.toISOString(),
      last_status_code: status,
      last_error: error,
    });
  }

  private async giveUp(d: DeliveryRow, attempts: number, error: string, status: number | null = null) {
    this.deps.logger.warn(
      { deliveryId: d.id, eventType: d.event_type, attempts },
      "webhook delivery gave up",
    );
    this.deps.metrics.webhookAttempts.inc({ result: "failed" });
    await this.outbox.settle(d.id, this.holder, {
      status: "failed",
      attempts,
      next_attempt_at: null,
      last_status_code: status,
      last_error: error,
    });
  }

  /** The body as sent: the stored event, with what only the live store holds (transcript text) added. */
  private async bodyOf(d: DeliveryRow): Promise<string | null> {
    if (d.transcript_index === null && d.with_transcript === 0) return d.payload;
    const event = JSON.parse(d.payload) as {
      data: Record<string, unknown> & { call?: { transcript?: unknown } };
    };
    const transcript = await this.deps.live.transcript(d.call_id);
    if (d.transcript_index !== null) {
      const entry = transcript?.[d.transcript_index];
      if (!entry) return null;
      event.data.entry = entry;
    } else if (event.data.call) {
      // Past its expiry (or after a restart without Redis) a transcript is gone, as on GET /call/{id}.
      event.data.call.transcript = transcript;
    }
    return JSON.stringify(event);
  }
}
