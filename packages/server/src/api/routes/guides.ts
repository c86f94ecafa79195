import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import { GUIDE_INDEX, Guides } from "../guides.ts";

/** A changed guide reaches clients within minutes; revalidating with the ETag costs them a 304. */
const CACHE_CONTROL = "public, max-age=300";

/**
 * GET /guides/v1/<page>.md: the skill and topic guides as Markdown, public (no key is read, so none is
 * needed and none is echoed), rate-limited with every other request.
 */
export function registerGuideRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const guides = new Guides();
  app.get<{ Params: { page: string } }>("/guides/v1/:page", async (req, reply) => {
    const base = ctx.config.publicUrl;
    const page = guides.page(req.params.page, base);
    if (!page)
      throw new ApiError(
        "not_found",
        `There is no such guide. The guides are listed at ${base}/guides/v1/${GUIDE_INDEX}.`,
      );
    reply.header("cache-control", CACHE_CONTROL);
    reply.header("etag", page.etag);
    if (req.headers["if-none-match"]?.split(/\s*,\s*/).includes(page.etag)) return reply.status(304).send();
    reply.header("content-type", "text/markdown; charset=utf-8");
    return page.text;
  });
}
