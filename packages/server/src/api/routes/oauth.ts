import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SCOPE } from "../../oauth/authorization-server.ts";
import { INVALID_JSON } from "../app.ts";
import { clientGroup } from "../client-address.ts";
import type { ApiContext } from "../context.ts";
import { RateLimiter } from "../rate-limiter.ts";

/** Where the remote MCP server answers (mounted by the mcp room). */
export const MCP_PATH = "/mcp";

/** What a client may name as the `resource` of its tokens (RFC 8707): the MCP endpoint, or the service. */
export const mcpResources = (base: string) => [`${base}${MCP_PATH}`, base];

/** RFC 9728's metadata address for the MCP endpoint, which a 401 from it points to. */
export const resourceMetadataUrl = (base: string) =>
  `${base}/.well-known/oauth-protected-resource${MCP_PATH}`;

/**
 * OAuth's endpoints answer in OAuth's own error shape (`error`, `error_description`, RFC 6749 §5.2), which
 * OAuth clients parse; browser-based clients read them across origins, and no cookie is involved.
 */
function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply
    .status(status)
    .header("cache-control", "no-store")
    .send({ error, error_description: description });
}

/** A token or revocation request's fields, form-encoded as OAuth says, or JSON. */
function fields(req: FastifyRequest): URLSearchParams {
  const body = req.body;
  if (typeof body === "string") return new URLSearchParams(body);
  if (body && body !== INVALID_JSON && typeof body === "object" && !Array.isArray(body)) {
    const entries = Object.entries(body as Record<string, unknown>).filter(([, v]) => typeof v === "string");
    return new URLSearchParams(entries as [string, string][]);
  }
  return new URLSearchParams();
}

/**
 * OAuth 2.1 for remote MCP clients: the protected resource's metadata (RFC 9728), the authorization
 * server's (RFC 8414), dynamic client registration (RFC 7591), the token endpoint and revocation
 * (RFC 7009). The consent step is a page (pages/oauth-consent.ts).
 */
export function registerOAuthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const registrations = new RateLimiter(20, 3_600_000);
  const cors = (reply: FastifyReply) => reply.header("access-control-allow-origin", "*");

  const resourceMetadata = async (_req: FastifyRequest, reply: FastifyReply) => {
    const base = ctx.config.publicUrl;
    cors(reply);
    return {
      resource: `${base}${MCP_PATH}`,
      authorization_servers: [base],
      bearer_methods_supported: ["header"],
      scopes_supported: [SCOPE],
      resource_name: "ClawCall",
      resource_documentation: `${base}/guides/v1/remote-mcp.md`,
    };
  };
  app.get(`/.well-known/oauth-protected-resource${MCP_PATH}`, resourceMetadata);
  app.get("/.well-known/oauth-protected-resource", resourceMetadata);

  app.get("/.well-known/oauth-authorization-server", async (_req, reply) => {
    const base = ctx.config.publicUrl;
    cors(reply);
    return {
      issuer: base,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      registration_endpoint: `${base}/oauth/register`,
      revocation_endpoint: `${base}/oauth/revoke`,
      scopes_supported: [SCOPE],
      response_types_supported: ["code"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["none"],
      revocation_endpoint_auth_methods_supported: ["none"],
      authorization_response_iss_parameter_supported: true,
      service_documentation: `${base}/guides/v1/remote-mcp.md`,
    };
  });

  for (const path of ["/oauth/register", "/oauth/token", "/oauth/revoke"])
    app.options(path, async (_req, reply) =>
      cors(reply)
        .header("access-control-allow-methods", "POST")
        .header("access-control-allow-headers", "content-type, mcp-protocol-version")
        .header("access-control-max-age", "86400")
        .status(204)
        .send(),
    );

  app.post("/oauth/register", async (req, reply) => {
    cors(reply);
    const retry = registrations.hit(clientGroup(req.ip));
    if (retry > 0) {
      ctx.limitLog.trip("client registrations per hour", clientGroup(req.ip));
      reply.header("retry-after", String(retry));
      return oauthError(reply, 429, "too_many_requests", "Too many registrations from this address.");
    }
    const registered = await ctx.oauth.registerClient(req.body === INVALID_JSON ? null : req.body);
    if (!registered.ok) return oauthError(reply, 400, registered.error, registered.description);
    const c = registered.client;
    // Public clients only: whatever authentication method was asked for, the answer says none.
    return reply
      .status(201)
      .header("cache-control", "no-store")
      .send({
        client_id: c.client_id,
        client_id_issued_at: Math.floor(Date.parse(c.created_at) / 1000),
        ...(c.client_name ? { client_name: c.client_name } : {}),
        redirect_uris: c.redirect_uris,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
        scope: SCOPE,
      });
  });

  app.post("/oauth/token", async (req, reply) => {
    cors(reply);
    const p = fields(req);
    const grantType = p.get("grant_type");
    const result =
      grantType === "authorization_code"
        ? await ctx.oauth.exchangeCode(p)
        : grantType === "refresh_token"
          ? await ctx.oauth.refresh(p)
          : null;
    if (!result)
      return oauthError(
        reply,
        400,
        "unsupported_grant_type",
        "grant_type is authorization_code or refresh_token.",
      );
    if (!result.ok) return oauthError(reply, 400, result.error, result.description);
    const { ok: _ok, ...tokens } = result;
    return reply.header("cache-control", "no-store").header("pragma", "no-cache").send(tokens);
  });

  app.post("/oauth/revoke", async (req, reply) => {
    cors(reply);
    const p = fields(req);
    const token = p.get("token");
    if (!token) return oauthError(reply, 400, "invalid_request", "Send the token to revoke.");
    if (token.length <= 200) await ctx.oauth.revoke(token, p.get("client_id"));
    return reply.status(200).header("cache-control", "no-store").send({});
  });
}
