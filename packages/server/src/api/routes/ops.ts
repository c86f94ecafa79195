import fs from "node:fs";
import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import { buildOpenApi } from "../openapi.ts";

export function registerOpsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  let openapi: ReturnType<typeof buildOpenApi> | null = null;

  app.get("/healthz", async () => {
    await ctx.calls.store.ping();
    return { ok: true, active_calls: ctx.calls.activeCount() };
  });

  // With a metrics port of its own, the public port does not serve them at all.
  if (!ctx.config.metrics)
    app.get("/metrics", async (_req, reply) => {
      reply.header("content-type", ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    });

  app.get("/openapi.json", async () => {
    openapi ??= buildOpenApi(ctx.config.publicUrl);
    return openapi;
  });

  app.get<{ Params: { name: string }; Querystring: { expires?: string; sig?: string } }>(
    "/recordings/:name",
    async (req, reply) => {
      const file = ctx.recordings.resolve(req.params.name, req.query.expires ?? "", req.query.sig ?? "");
      if (!file)
        throw new ApiError("recording_not_available", "This recording link has expired or is not valid.");
      reply.header("content-type", "audio/wav");
      reply.header("cache-control", "private, no-store");
      return reply.send(fs.createReadStream(file));
    },
  );
}
