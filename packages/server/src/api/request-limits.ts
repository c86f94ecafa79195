import type { FastifyReply, FastifyRequest } from "fastify";
import { clientGroup } from "./client-address.ts";
import type { ApiContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { RateLimiter } from "./rate-limiter.ts";

/** Prometheus scrapes every 15 s or so; this leaves room for a few scrapers and a curious operator. */
const METRICS_PER_MINUTE = 60;

interface Bucket {
  name: string;
  limiter: RateLimiter;
}

/**
 * The per-client request limits, one bucket per kind of traffic: carrier and payment webhooks come in
 * bursts from a handful of addresses (and are verified by signature), metrics from a scraper, everything
 * else from assistants and people. Health checks are never limited: a load balancer must always get an
 * answer.
 */
export function requestLimits(ctx: ApiContext) {
  const api: Bucket = {
    name: "requests per minute",
    limiter: new RateLimiter(ctx.config.limits.requestsPerMinute, 60_000),
  };
  const webhooks: Bucket = {
    name: "webhooks per minute",
    limiter: new RateLimiter(ctx.config.limits.webhooksPerMinute, 60_000),
  };
  const metrics: Bucket = {
    name: "metrics per minute",
    limiter: new RateLimiter(METRICS_PER_MINUTE, 60_000),
  };
  const webhookPrefixes = (ctx.vendorRoutes ?? []).map((r) => r.prefix);
  const bucketOf = (url: string): Bucket | null => {
    if (url === "/healthz" || url.startsWith("/healthz?")) return null;
    if (url.startsWith("/metrics")) return metrics;
    if (webhookPrefixes.some((prefix) => url.startsWith(prefix))) return webhooks;
    return api;
  };

  // Synchronous, returning the refusal rather than throwing it: it runs before every request, and an
  // async hook costs a promise and a turn of the microtask queue each time.
  return (req: FastifyRequest, reply: FastifyReply): ApiError | null => {
    const bucket = bucketOf(req.url);
    if (!bucket) return null;
    const client = clientGroup(req.ip);
    const retry = bucket.limiter.hit(client);
    if (retry === 0) return null;
    ctx.limitLog.trip(bucket.name, client);
    reply.header("retry-after", String(retry));
    return new ApiError("rate_limited", "Too many requests from this client. Slow down and retry later.", {
      retryAfterSeconds: retry,
    });
  };
}
