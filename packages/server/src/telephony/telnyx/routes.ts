import websocket from "@fastify/websocket";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import type { Logger } from "../../observability/logger.ts";
import { SampledLog } from "../../observability/sampled-log.ts";
import type { TelnyxCarrier } from "./telnyx-carrier.ts";

/** Telnyx webhooks are small; anything larger is not Telnyx. */
const WEBHOOK_BODY_LIMIT = 256 * 1024;
/**
 * Telnyx's media-stream messages are a few hundred bytes (`start` the largest); `ws` alone would buffer
 * one of 100 MiB. A larger message closes the socket with 1009, which the call hears as a dropped stream.
 */
export const MEDIA_MESSAGE_LIMIT = 64 * 1024;

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * POST /telnyx/webhook/:callId and GET /telnyx/media/:callId (WebSocket). The JSON parser of this scope
 * keeps the raw bytes, because the Ed25519 signature covers the body exactly as sent.
 */
export const telnyxRoutes: FastifyPluginAsync<{ carrier: TelnyxCarrier }> = async (scope, { carrier }) => {
  scope.removeContentTypeParser(["application/json"]);
  scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  // The media socket is the service's only WebSocket route, so its limits are the plugin's. Its messages
  // are read from their bytes (media-message.ts), and JSON.parse takes the rest as text: ws's check that
  // each text message is valid UTF-8, fifty times a second a call, would guard nothing we read.
  await scope.register(websocket, {
    options: { maxPayload: MEDIA_MESSAGE_LIMIT, skipUTF8Validation: true },
  });
  // Anyone can send forged webhooks, as fast as they like.
  const refusals = new SampledLog(scope.log as Logger);

  // The route states its limit too, so a 413 names the limit that applied.
  scope.post<{ Params: { callId: string } }>(
    "/telnyx/webhook/:callId",
    { bodyLimit: WEBHOOK_BODY_LIMIT },
    async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const outcome = carrier.handleWebhook(request.params.callId, raw, {
        signature: header(request.headers["telnyx-signature-ed25519"]),
        timestamp: header(request.headers["telnyx-timestamp"]),
      });
      if (outcome.status === "invalid_signature") {
        refusals.warn(outcome.reason, { reason: outcome.reason }, "telnyx webhook refused");
        return reply.code(401).send({
          error: { code: "invalid_signature", message: "Webhook signature is missing, wrong or too old." },
        });
      }
      if (outcome.status === "malformed") {
        return reply.code(400).send({ error: { code: "invalid_request", message: "Not a Telnyx webhook." } });
      }
      // Duplicates and events for calls we no longer track are still a 200: retrying them cannot help.
      return reply.code(200).send({ ok: true });
    },
  );

  scope.get<{ Params: { callId: string }; Querystring: { token?: string } }>(
    "/telnyx/media/:callId",
    {
      websocket: true,
      // Refuse before the upgrade, so an unauthenticated client never gets a socket.
      preValidation: async (request, reply) => {
        const token = request.query.token ?? header(request.headers["x-telnyx-streaming-auth-token"]);
        if (!carrier.checkStreamToken(request.params.callId, token)) {
          await reply.code(401).send({ error: { code: "invalid_token", message: "Stream token refused." } });
        }
      },
    },
    (socket, request) => {
      const token = request.query.token ?? header(request.headers["x-telnyx-streaming-auth-token"]);
      if (!carrier.acceptMediaSocket(request.params.callId, token, socket))
        socket.close(1008, "unknown call");
    },
  );
};

export async function registerTelnyxRoutes(app: FastifyInstance, carrier: TelnyxCarrier): Promise<void> {
  await app.register(telnyxRoutes, { carrier });
}

/** The Telnyx routes as the service mounts them: everything under /telnyx/ is verified by signature. */
export function telnyxVendorRoutes(carrier: TelnyxCarrier) {
  return { prefix: "/telnyx/", register: (app: FastifyInstance) => registerTelnyxRoutes(app, carrier) };
}
