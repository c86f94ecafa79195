import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

/** A kept connection is closed this long before the server said it would close it. */
const EXPIRY_MARGIN_MS = 1000;

/**
 * Keep-alive agents for http and https that know how long each idle connection has left. A server may
 * announce its idle limit (`Keep-Alive: timeout=5`); node's agents ignore it, so a request sent just
 * as the server closed the connection found it gone. Here a kept connection is closed a second before
 * the announced limit (or after `idleMs` when none was announced), and `idleFor` counts only those
 * that will still be open when a request comes.
 */
export class KeptAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  /** The idle limit each connection's server announced, in ms. */
  private readonly announced = new WeakMap<Duplex, number>();
  /** When each idle connection will be closed (performance.now()). */
  private readonly closesAt = new WeakMap<Duplex, number>();

  constructor(private readonly idleMs: number) {
    // The socket timeout also fails a request whose server goes silent for as long.
    const options = { keepAlive: true, timeout: idleMs, scheduling: "lifo" as const };
    this.http = this.adapt(new http.Agent(options));
    this.https = this.adapt(new https.Agent(options));
  }

  /** The agent for `url`'s protocol, if it is http(s). */
  for(url: URL): http.Agent | undefined {
    return url.protocol === "https:" ? this.https : url.protocol === "http:" ? this.http : undefined;
  }

  /** Notes the idle limit the server announced in a response on `socket`. */
  heard(socket: Socket, keepAlive: string | undefined): void {
    const seconds = keepAlive === undefined ? undefined : /timeout=(\d+)/i.exec(keepAlive)?.[1];
    if (seconds !== undefined) this.announced.set(socket, Number(seconds) * 1000);
  }

  /** Idle connections to `url`'s origin that will still be open `forMs` from now. */
  idleFor(url: URL, forMs: number): number {
    const agent = this.for(url);
    if (agent === undefined) return 0;
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const free = agent.freeSockets[agent.getName({ host: url.hostname, port })] ?? [];
    const until = performance.now() + forMs;
    return free.filter((socket) => (this.closesAt.get(socket) ?? Number.POSITIVE_INFINITY) > until).length;
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }

  private adapt<A extends http.Agent>(agent: A): A {
    const keep = agent.keepSocketAlive.bind(agent);
    const reuse = agent.reuseSocket.bind(agent);
    // The agent destroys a kept socket whose timeout fires, and one this returns false for.
    agent.keepSocketAlive = (socket) => {
      const life = Math.min(
        this.idleMs,
        (this.announced.get(socket) ?? Number.POSITIVE_INFINITY) - EXPIRY_MARGIN_MS,
      );
      if (life <= 0) return false;
      (socket as Socket).setTimeout(life);
      this.closesAt.set(socket, performance.now() + life);
      return keep(socket);
    };
    agent.reuseSocket = (socket, request) => {
      this.closesAt.delete(socket);
      (socket as Socket).setTimeout(this.idleMs);
      reuse(socket, request);
    };
    return agent;
  }
}
