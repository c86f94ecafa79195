import type { Server, Socket } from "node:net";
import { clientGroup } from "./client-address.ts";
import type { LimitLog } from "./limit-log.ts";
import { refuseOnSocket } from "./raw-errors.ts";

export interface ConnectionGuardOptions {
  /** Connections one address group may hold open at once. */
  perAddress: number;
  /** Peers exempt from the cap: configured proxies carry many clients on their connections. */
  isProxy: (peer: string) => boolean;
  limitLog: LimitLog;
}

/**
 * Caps the connections each client address (IPv6 by /64) holds open, so that one client dripping
 * bytes on thousands of sockets cannot use up the process's file descriptors and lock everyone else out.
 * A connection over the cap is answered 429 and closed before anything is read from it. A socket that
 * becomes a WebSocket leaves the count: media sockets authenticate by token and come from the carrier.
 */
export function guardConnections(server: Server, options: ConnectionGuardOptions): void {
  const open = new Map<string, number>();
  const release = (group: string) => {
    const n = (open.get(group) ?? 1) - 1;
    if (n <= 0) open.delete(group);
    else open.set(group, n);
  };
  const counted = new WeakMap<Socket, string>();

  // Runs before the HTTP server's own listener, so a refused socket is gone before a parser reads it.
  server.prependListener("connection", (socket: Socket) => {
    const peer = socket.remoteAddress;
    if (!peer || options.isProxy(peer)) return;
    const group = clientGroup(peer);
    const n = open.get(group) ?? 0;
    if (n >= options.perAddress) {
      options.limitLog.trip("connections per address", group);
      // Nothing of the request is read, so the client may see a reset instead of this answer.
      refuseOnSocket(
        socket,
        "rate_limited",
        "Too many open connections from this client. Close some and retry.",
        {
          "retry-after": "10",
        },
      );
      return;
    }
    open.set(group, n + 1);
    counted.set(socket, group);
    socket.once("close", () => {
      const g = counted.get(socket);
      if (g === undefined) return;
      counted.delete(socket);
      release(g);
    });
  });

  server.on("upgrade", (_req, socket: Socket) => {
    const g = counted.get(socket);
    if (g === undefined) return;
    counted.delete(socket);
    release(g);
  });
}
