// Room api/: the HTTP face: routes, auth, rate limits, errors, SSE, OpenAPI, account pages, guides, recording links.
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import { requestLogFields } from "../observability/logger.ts";
import { addKeyHeaders, keyHeader, resolveKey } from "./auth.ts";
import { fastifyTrustProxy, proxyMatcher } from "./client-address.ts";
import { guardConnections } from "./connection-guard.ts";
import type { ApiContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { FinalCalls } from "./final-calls.ts";
import { LimitLog } from "./limit-log.ts";
import { registerAccountPages } from "./pages/account-pages.ts";
import { registerPurchasePages } from "./pages/purchase-pages.ts";
import { clientErrorHandler } from "./raw-errors.ts";
import { requestLimits } from "./request-limits.ts";
import { registerAccountRoutes } from "./routes/account.ts";
import { registerAccountPhoneRoutes } from "./routes/account-phone.ts";
import { registerCallRoutes } from "./routes/calls.ts";
import { registerGuideRoutes } from "./routes/guides.ts";
import { registerHistoryRoutes } from "./routes/history.ts";
import { registerOAuthRoutes } from "./routes/oauth.ts";
import { registerOpsRoutes } from "./routes/ops.ts";
import { registerPreferenceRoutes } from "./routes/preferences.ts";
import { registerWebhookRoutes } from "./routes/webhooks.ts";
import { securityHeaders } from "./security-headers.ts";

/** Marks a body that was sent but is not JSON; the route answers `invalid_json` for it. */
export const INVALID_JSON = Symbol("invalid-json");

const BODY_LIMIT = 64 * 1024;
/** A socket with nothing moving on it for this long is closed (SSE streams send a keep-alive every 15 s). */
const IDLE_SOCKET_MS = 60_000;
/** An idle keep-alive connection is closed after this long: each one holds a file descriptor. */
const KEEP_ALIVE_MS = 10_000;

/**
 * Fastify's own info lines ("Server listening at …") would land among the start-up banner, which already
 * says where the service listens; the framework logs warnings and worse, our code logs the rest.
 */
function frameworkLogger(logger: ApiContext["logger"]): FastifyBaseLogger {
  const quiet =
    logger.levelVal < logger.levels.values["warn"]! ? logger.child({}, { level: "warn" }) : logger;
  return quiet as FastifyBaseLogger;
}

export async function buildApp(
  services: Omit<ApiContext, "limitLog" | "finalCalls">,
): Promise<FastifyInstance> {
  const limitLog = new LimitLog(services.logger);
  const finalCalls = new FinalCalls(services.recordingsFollowHangup);
  const ctx: ApiContext = { ...services, limitLog, finalCalls };
  // A request, headers and body, must arrive whole within this time however slowly it drips; Node
  // checks every connection for it on an interval, which must be shorter than the timeout itself.
  const requestTimeout = ctx.config.limits.requestTimeoutSeconds * 1000;
  const app: FastifyInstance = Fastify({
    loggerInstance: frameworkLogger(ctx.logger),
    // Fastify's own request lines would log URLs, whose query may carry a key; ours log the path only.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify would bind a child logger (its bindings serialised through the redaction) to every request
    // for its own rare lines; ours name the request themselves (requestLogFields), so it gets the logger.
    childLoggerFactory: (logger) => logger,
    trustProxy: fastifyTrustProxy(ctx.config.trustedProxies),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    requestTimeout,
    connectionTimeout: IDLE_SOCKET_MS,
    keepAliveTimeout: KEEP_ALIVE_MS,
    http: {
      requestTimeout,
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.min(5_000, Math.max(250, requestTimeout / 4)),
    },
    clientErrorHandler: clientErrorHandler(limitLog),
    // Errors the router raises before any route or hook runs, in the envelope like every other error.
    frameworkErrors: (err, _req, reply: FastifyReply) => {
      const e =
        err.code === "FST_ERR_MAX_PARAM_LENGTH"
          ? new ApiError("not_found", "There is nothing at this address.")
          : new ApiError("invalid_request", "The address is not a valid URL.");
      return reply.status(e.status).send(e.body());
    },
  });
  guardConnections(app.server, {
    perAddress: ctx.config.limits.connectionsPerAddress,
    isProxy: proxyMatcher(ctx.config.trustedProxies),
    limitLog,
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

  // The hooks below run on every request, so they take Fastify's callbacks rather than being async: an
  // async hook costs a promise and a turn of the microtask queue each, whatever little it does.
  const limitRequests = requestLimits(ctx);
  app.addHook("onRequest", (req, reply, done) => {
    (req as { startedAt?: number }).startedAt = performance.now();
    const refused = limitRequests(req, reply);
    if (refused) done(refused);
    else done();
  });
  app.addHook("onSend", (req, reply, payload, done) => {
    // A refused client's connection is closed rather than kept for its next (probably refused) request,
    // and a body still dripping in is not waited for.
    if (reply.statusCode === 429 || reply.statusCode === 413) reply.header("connection", "close");
    securityHeaders(reply);
    const pending = addKeyHeaders(ctx, req, reply);
    if (!pending) return done(null, payload);
    pending.then(
      () => done(null, payload),
      (err: Error) => done(err),
    );
  });
  app.addHook("onResponse", (req, reply, done) => {
    const started = (req as { startedAt?: number }).startedAt ?? performance.now();
    ctx.metrics.httpDuration.observe(
      req.routeOptions.url ?? "unknown",
      req.method,
      reply.statusCode,
      (performance.now() - started) / 1000,
    );
    if (reply.statusCode >= 500)
      ctx.logger.warn({ ...requestLogFields(req), status: reply.statusCode }, "request failed");
    done();
  });

  // A keyed request refused before its route ran (a body too large or unreadable, an unknown address)
  // still answers as a keyed response. Not when rate-limited: a flood must not cost a lookup a request.
  const attachKey = async (req: FastifyRequest, code: string) => {
    const raw = req.key || code === "rate_limited" ? undefined : keyHeader(req);
    if (raw) await resolveKey(ctx, req, raw).catch(() => null);
  };
  app.setErrorHandler(async (err: FastifyError | ApiError, req, reply) => {
    let apiErr: ApiError;
    if (err instanceof ApiError) apiErr = err;
    else if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const limit = req.routeOptions.bodyLimit ?? BODY_LIMIT;
      apiErr = new ApiError("payload_too_large", `The request body is larger than ${limit / 1024} KiB.`);
    } else if (err.statusCode === 400 || err.code?.startsWith("FST_ERR_CTP")) {
      apiErr = new ApiError("invalid_json", "The request body could not be read as JSON.");
    } else {
      ctx.logger.error({ err, ...requestLogFields(req) }, "unhandled error");
      apiErr = new ApiError("internal_error", "Something went wrong on our side. Please try again.");
    }
    if (apiErr.extras.retryAfterSeconds) reply.header("retry-after", String(apiErr.extras.retryAfterSeconds));
    await attachKey(req, apiErr.code);
    return reply.status(apiErr.status).send(apiErr.body(req.key?.raw));
  });
  app.setNotFoundHandler(async (req, reply) => {
    const e = new ApiError("not_found", "There is nothing at this address.");
    await attachKey(req, e.code);
    return reply.status(e.status).send(e.body(req.key?.raw));
  });

  registerCallRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerHistoryRoutes(app, ctx);
  registerPreferenceRoutes(app, ctx);
  registerAccountPhoneRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerOpsRoutes(app, ctx);
  registerGuideRoutes(app, ctx);
  registerOAuthRoutes(app, ctx);
  registerAccountPages(app, ctx);
  registerPurchasePages(app, ctx);
  for (const routes of ctx.vendorRoutes ?? []) await routes.register(app);
  return app;
}
