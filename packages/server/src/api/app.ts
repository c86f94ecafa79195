// Room api/: the HTTP face: routes, auth, rate limits, errors, SSE, OpenAPI, account pages, recording links.
import websocket from "@fastify/websocket";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from "fastify";
import { requestLogFields } from "../observability/logger.ts";
import { addKeyHeaders } from "./auth.ts";
import type { ApiContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { registerAccountPages } from "./pages/account-pages.ts";
import { registerPurchasePages } from "./pages/purchase-pages.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { registerAccountRoutes } from "./routes/account.ts";
import { registerCallRoutes } from "./routes/calls.ts";
import { registerOpsRoutes } from "./routes/ops.ts";

/** Marks a body that was sent but is not JSON; the route answers `invalid_json` for it. */
export const INVALID_JSON = Symbol("invalid-json");

const BODY_LIMIT = 64 * 1024;

/**
 * Fastify's own info lines ("Server listening at …") would land among the start-up banner, which already
 * says where the service listens; the framework logs warnings and worse, our code logs the rest.
 */
function frameworkLogger(logger: ApiContext["logger"]): FastifyBaseLogger {
  const quiet =
    logger.levelVal < logger.levels.values["warn"]! ? logger.child({}, { level: "warn" }) : logger;
  return quiet as FastifyBaseLogger;
}

export async function buildApp(ctx: ApiContext): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: frameworkLogger(ctx.logger),
    // Fastify's own request lines would log URLs, whose query may carry a key; ours log the path only.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: ctx.config.trustProxy,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
  });
  app.decorateRequest("key", null);

  // Bodies are parsed leniently: `curl -d` sends JSON as a form, so every type is read as text first.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, INVALID_JSON);
    }
  });

  const perClient = new RateLimiter(ctx.config.limits.requestsPerMinute, 60_000);
  // Carrier and payment webhooks come in bursts from a handful of addresses; they are verified by
  // signature instead.
  const unlimited = ["/healthz", "/metrics", ...(ctx.vendorRoutes ?? []).map((r) => r.prefix)];
  app.addHook("onRequest", async (req, reply) => {
    (req as { startedAt?: number }).startedAt = performance.now();
    if (unlimited.some((prefix) => req.url.startsWith(prefix))) return;
    const retry = perClient.hit(req.ip);
    if (retry > 0) {
      reply.header("retry-after", String(retry));
      throw new ApiError("rate_limited", "Too many requests from this client. Slow down and retry later.", {
        retryAfterSeconds: retry,
      });
    }
  });
  app.addHook("onSend", async (req, reply, payload) => {
    await addKeyHeaders(ctx, req, reply);
    return payload;
  });
  app.addHook("onResponse", async (req, reply) => {
    const started = (req as { startedAt?: number }).startedAt ?? performance.now();
    ctx.metrics.httpDuration.observe(
      { route: req.routeOptions.url ?? "unknown", method: req.method, status: String(reply.statusCode) },
      (performance.now() - started) / 1000,
    );
    if (reply.statusCode >= 500)
      ctx.logger.warn({ ...requestLogFields(req), status: reply.statusCode }, "request failed");
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    let apiErr: ApiError;
    if (err instanceof ApiError) apiErr = err;
    else if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      apiErr = new ApiError("payload_too_large", `The request body is larger than ${BODY_LIMIT / 1024} KiB.`);
    } else if (err.statusCode === 400 || err.code?.startsWith("FST_ERR_CTP")) {
      apiErr = new ApiError("invalid_json", "The request body could not be read as JSON.");
    } else {
      ctx.logger.error({ err, ...requestLogFields(req) }, "unhandled error");
      apiErr = new ApiError("internal_error", "Something went wrong on our side. Please try again.");
    }
    if (apiErr.extras.retryAfterSeconds) reply.header("retry-after", String(apiErr.extras.retryAfterSeconds));
    return reply.status(apiErr.status).send(apiErr.body(req.key?.raw));
  });
  app.setNotFoundHandler((_req, reply) => {
    const e = new ApiError("not_found", "There is nothing at this address.");
    return reply.status(e.status).send(e.body());
  });

  await app.register(websocket);
  registerCallRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerOpsRoutes(app, ctx);
  registerAccountPages(app, ctx);
  registerPurchasePages(app, ctx);
  for (const routes of ctx.vendorRoutes ?? []) await routes.register(app);
  return app;
}
