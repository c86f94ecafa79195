import type { FastifyReply } from "fastify";

/**
 * Pages carry an API key in their address and forms that spend it, so they may not be framed (click
 * jacking), may not leak their address to other sites, and load nothing but their own inline style.
 */
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

/** Headers every response gets, and the page policy for HTML. */
export function securityHeaders(reply: FastifyReply): void {
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", "no-referrer");
  const type = String(reply.getHeader("content-type") ?? "");
  if (type.startsWith("text/html")) {
    // The dashboard's pages set their own, which also lets in their script, event stream and recording.
    if (!reply.hasHeader("content-security-policy")) reply.header("content-security-policy", PAGE_POLICY);
    reply.header("x-frame-options", "DENY");
  }
}
