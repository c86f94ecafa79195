// Room mcp/: the remote MCP server at /mcp (Streamable HTTP): who is calling, and the tools, each acting
// through the HTTP API with the caller's key.
import { API_KEY_PATTERN, HEADER_API_KEY } from "@clawcall/contract";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { INVALID_JSON } from "../api/app.ts";
import { ApiError } from "../api/errors.ts";
import { MCP_PATH, resourceMetadataUrl } from "../api/routes/oauth.ts";
import type { Billing } from "../billing/billing.ts";
import type { AuthorizationServer } from "../oauth/authorization-server.ts";
import type { Logger } from "../observability/logger.ts";
import { ApiCaller } from "./api-caller.ts";

export interface RemoteMcpDeps {
  oauth: AuthorizationServer;
  billing: Billing;
  logger: Logger;
  /** The service's public URL, known only once it listens. */
  publicUrl: () => string;
  /** Longest place_call_and_wait holds its request (default 10 minutes). */
  maxWaitSeconds?: number;
}

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
};

/**
 * The API key this request acts with: an API key (X-Api-Key, or as a bearer token), or an OAuth access
 * token, which stands for its grant's key. Null when none was sent; an error when one was sent but is
 * unknown, expired or revoked.
 */
async function callerKey(deps: RemoteMcpDeps, req: FastifyRequest): Promise<string | null | ApiError> {
  const bearer = header(req, "authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const sent = header(req, HEADER_API_KEY) ?? bearer;
  if (!sent) return null;
  const raw = API_KEY_PATTERN.test(sent) ? sent : await deps.oauth.apiKeyFor(sent);
  if (raw && (await deps.billing.keys.find(raw))) return raw;
  return new ApiError("invalid_api_key", "This API key or access token is unknown, expired or revoked.");
}

function unauthorized(deps: RemoteMcpDeps, reply: FastifyReply, err: ApiError | null) {
  const metadata = `resource_metadata="${resourceMetadataUrl(deps.publicUrl())}"`;
  const e =
    err ??
    new ApiError(
      "auth_required",
      "Sign in with OAuth, or send your API key in X-Api-Key or as a bearer token.",
    );
  return reply
    .status(401)
    .header("www-authenticate", `Bearer ${err ? 'error="invalid_token", ' : ""}${metadata}`)
    .header("access-control-expose-headers", "www-authenticate")
    .send(e.body());
}

/**
 * Mounts /mcp. Stateless: each POST gets its own server and transport, so any node of a cluster can
 * answer any request and nothing is held between them. A standalone GET stream (server-initiated
 * messages) has nothing to carry here, so GET and DELETE are refused as the transport spec allows.
 */
export function registerRemoteMcp(app: FastifyInstance, deps: RemoteMcpDeps): void {
  const cors = (reply: FastifyReply) =>
    reply
      .header("access-control-allow-origin", "*")
      .header("access-control-expose-headers", "www-authenticate, mcp-session-id");

  app.options(MCP_PATH, async (_req, reply) =>
    cors(reply)
      .header("access-control-allow-methods", "POST, GET, DELETE")
      .header(
        "access-control-allow-headers",
        "authorization, content-type, mcp-protocol-version, mcp-session-id, x-api-key, last-event-id",
      )
      .header("access-control-max-age", "86400")
      .status(204)
      .send(),
  );

  const refuseMethod = async (req: FastifyRequest, reply: FastifyReply) => {
    const key = await callerKey(deps, req);
    if (typeof key !== "string") return unauthorized(deps, cors(reply), key);
    return cors(reply)
      .status(405)
      .header("allow", "POST")
      .send({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed." }, id: null });
  };
  app.get(MCP_PATH, refuseMethod);
  app.delete(MCP_PATH, refuseMethod);

  app.post(MCP_PATH, async (req, reply) => {
    cors(reply);
    const key = await callerKey(deps, req);
    if (typeof key !== "string") return unauthorized(deps, reply, key);
    if (req.body === INVALID_JSON)
      return reply
        .status(400)
        .send({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });

    const { mcpSession } = await import("./mcp-session.ts");
    const { server, transport } = mcpSession(new ApiCaller(app, key, req.ip), {
      maxWaitSeconds: deps.maxWaitSeconds ?? 600,
      webhooks: app.hasRoute({ method: "PUT", url: "/me/webhook" }),
    });
    reply.hijack();
    const res = reply.raw;
    // place_call_and_wait holds its answer open while the call runs, longer than an idle socket may stay.
    req.raw.socket.setTimeout(((deps.maxWaitSeconds ?? 600) + 60) * 1000);
    // The hijacked reply skips the onSend hook, so the headers every response carries are set here.
    for (const [name, value] of Object.entries(reply.getHeaders()))
      if (value !== undefined) res.setHeader(name, value);
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "no-referrer");
    res.setHeader("cache-control", "no-store");
    res.on("close", () => {
      void transport.close().catch(() => {});
      void server.close().catch(() => {});
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req.raw, res, req.body);
    } catch (err) {
      deps.logger.error({ err }, "mcp request failed");
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: null }),
        );
      }
    }
  });
}
