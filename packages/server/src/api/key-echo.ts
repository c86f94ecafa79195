import type { FastifyRequest } from "fastify";

/**
 * Whether a body that a client may show whole to a model repeats the request's own key as `api_key`.
 * The seed promises the field in every response, and its clients may read the key back from any of them,
 * so it stays by default. The later revision's MCP client copies the bodies of GET /balance and
 * GET /me/calls whole into the model's conversation, where a key must not appear unless the user asks for
 * it. That client declares a JSON body on every GET, which none of the seed's clients need to do; such a
 * request is answered without the field. It loses nothing: the key is the one it sent.
 */
export function echoesKey(req: FastifyRequest): boolean {
  if (req.method !== "GET") return true;
  const type = req.headers["content-type"];
  return !(typeof type === "string" && /^\s*application\/json\s*(;|$)/i.test(type));
}
