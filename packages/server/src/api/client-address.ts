import net from "node:net";
import { NAMED_RANGES, type TrustedProxies } from "../config/trusted-proxies.ts";

/** Strips the IPv4-mapped prefix a dual-stack socket reports (`::ffff:203.0.113.9`). */
function plain(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] ?? address;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  if (net.isIPv6(address) === false) return null;
  let text = address.split("%")[0] ?? "";
  // A trailing dotted IPv4 part stands for the last two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  const groups = [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 ? groups : null;
}

/**
 * The unit per-client limits count by. One IPv6 subscriber usually holds a whole /64 and can rotate
 * through it freely, so IPv6 addresses are grouped by their /64; an IPv4 address stands for itself.
 */
export function clientGroup(address: string): string {
  // Asked on every request: an IPv4 address (no colon) stands for itself without parsing.
  if (!address.includes(":")) return address;
  const a = plain(address);
  const groups = net.isIPv6(a) ? ipv6Groups(a) : null;
  if (!groups) return a;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** Whether a connection's peer is one of the configured proxies (they get no per-address cap). */
export function proxyMatcher(trusted: TrustedProxies): (peer: string) => boolean {
  if (trusted.kind === "none") return () => false;
  // With a hop count every peer is taken to be the front proxy: the service must not be reachable
  // around it (docs say so).
  if (trusted.kind === "hops") return () => true;
  const list = new net.BlockList();
  for (const entry of trusted.entries.flatMap((e) => NAMED_RANGES[e] ?? [e])) {
    const [address = "", prefix] = entry.split("/");
    const type = net.isIPv6(address) ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (peer) => {
    const a = plain(peer);
    return list.check(a, net.isIPv6(a) ? "ipv6" : "ipv4");
  };
}

/** What Fastify's `trustProxy` takes for the same setting. */
export function fastifyTrustProxy(
  trusted: TrustedProxies,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trusted.kind === "none") return false;
  // Hop 0 is the immediate peer: with one proxy, only it is believed about who comes before it.
  if (trusted.kind === "hops") return (_address, hop) => hop < trusted.hops;
  return trusted.entries;
}
