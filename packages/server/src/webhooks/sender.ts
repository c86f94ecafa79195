import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Target } from "./target.ts";

export const CONNECT_TIMEOUT_MS = 5_000;
export const TOTAL_TIMEOUT_MS = 10_000;

/** How one attempt went: a status (2xx is delivered, anything else is retried) or why none came. */
export type SendOutcome = { status: number } | { error: string };

/**
 * POSTs one delivery to the address that was checked, naming the URL's host in `Host` and in TLS (SNI and
 * the certificate check). Redirects are not followed: a 3xx is a failed attempt. The answer's body is
 * never read.
 */
export function send(target: Target, headers: Record<string, string>, body: string): Promise<SendOutcome> {
  const { url } = target;
  const secure = url.protocol === "https:";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const options: https.RequestOptions = {
    method: "POST",
    host: target.address,
    family: target.family,
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: {
      ...headers,
      host: url.host,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      "user-agent": "ClawCall-Webhooks/1",
    },
    agent: false,
    // An IP literal is never sent as SNI (the TLS spec forbids it); its certificate is checked against it.
    ...(secure && net.isIP(host) === 0 ? { servername: host } : {}),
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      clearTimeout(connect);
      req.destroy();
      resolve(outcome);
    };
    // The status line is the answer: a receiver that said 2xx and then stalls its body still got the event,
    // and must not be sent it again.
    const req = (secure ? https : http).request(options, (res) => finish({ status: res.statusCode ?? 0 }));
    const total = setTimeout(() => finish({ error: "no answer within 10 s" }), TOTAL_TIMEOUT_MS);
    const connect = setTimeout(() => finish({ error: "could not connect within 5 s" }), CONNECT_TIMEOUT_MS);
    req.on("socket", (socket) => {
      const connected = () => clearTimeout(connect);
      if (!socket.connecting) connected();
      socket.once(secure ? "secureConnect" : "connect", connected);
    });
    req.on("error", (err: NodeJS.ErrnoException) =>
      finish({ error: `could not be reached (${err.code ?? err.message})` }),
    );
    req.end(body);
  });
}
