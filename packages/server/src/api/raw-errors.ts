import http from "node:http";
import type { Socket } from "node:net";
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "@clawcall/contract";
import { clientGroup } from "./client-address.ts";
import type { LimitLog } from "./limit-log.ts";

/**
 * Writes an error in the API's envelope straight onto a socket and closes it. For answers given before
 * there is a request to reply to: a connection over its cap, a request that took too long, headers too
 * large to parse. Best effort: a socket the client already abandoned gets nothing.
 */
export function refuseOnSocket(
  socket: Socket,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  const status = ERROR_STATUS[code];
  const body: ErrorBody = { error: { code, message } };
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? "Error"}`,
    "connection: close",
    "content-type: application/json; charset=utf-8",
    `content-length: ${Buffer.byteLength(text)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.on("error", () => {});
  if (socket.writable) socket.write(`${lines.join("\r\n")}\r\n\r\n${text}`);
  socket.destroy();
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser rejects before any route runs (a bad request
 * line, conflicting Content-Length and Transfer-Encoding, oversized headers, a request too slow to
 * arrive) is answered in the envelope with a stable code, like every other error.
 */
export function clientErrorHandler(limitLog: LimitLog) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      limitLog.trip("request timeout", clientGroup(socket.remoteAddress ?? "unknown"));
      refuseOnSocket(socket, "request_timeout", "The request took too long to arrive.");
    } else if (err.code === "HPE_HEADER_OVERFLOW")
      refuseOnSocket(socket, "headers_too_large", "The request's headers are too large.");
    else refuseOnSocket(socket, "invalid_request", "The request could not be read as HTTP/1.1.");
  };
}
