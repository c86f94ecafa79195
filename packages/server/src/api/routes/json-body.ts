import type { FastifyRequest } from "fastify";
import { INVALID_JSON } from "../app.ts";

/** Reads a body sent as JSON under any content type (`curl -d` sends a form type). */
export function jsonBody(req: FastifyRequest): unknown {
  const body = req.body;
  if (body === INVALID_JSON) return INVALID_JSON;
  if (typeof body === "string") {
    try {
      return JSON.parse(body);
    } catch {
      return INVALID_JSON;
    }
  }
  return body;
}
