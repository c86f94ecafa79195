import net from "node:net";

/**
 * Which peers may say, in `X-Forwarded-For`, whom they forward for. Only the right-most entries that
 * trusted proxies appended are believed: the left-most one is whatever the client chose to send.
 */
export type TrustedProxies =
  | { kind: "none" }
  /** This many proxies stand in front of the service (the immediate peer is the first). */
  | { kind: "hops"; hops: number }
  /** Peers at these addresses or in these ranges are proxies. */
  | { kind: "addresses"; entries: string[] };

/** Names for common ranges, as nginx and proxy-addr spell them. */
export const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

function validEntry(entry: string): boolean {
  if (entry in NAMED_RANGES) return true;
  const [address, prefix, ...rest] = entry.split("/");
  const family = net.isIP(address ?? "");
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * `CLAWCALL_TRUSTED_PROXIES` is a hop count (`1`) or a comma-separated list of addresses, CIDR ranges
 * and range names. The older boolean `CLAWCALL_TRUST_PROXY=true` is read as one hop: the old reading
 * (believe the left-most forwarded address) let any client choose its own address.
 * Returns a problem sentence when the value is bad.
 */
export function parseTrustedProxies(
  list: string | undefined,
  legacyTrustAll: boolean,
): TrustedProxies | string {
  if (list !== undefined && legacyTrustAll)
    return "CLAWCALL_TRUST_PROXY: set only CLAWCALL_TRUSTED_PROXIES (CLAWCALL_TRUST_PROXY=true means one hop)";
  if (list === undefined) return legacyTrustAll ? { kind: "hops", hops: 1 } : { kind: "none" };
  if (/^\d+$/.test(list)) {
    const hops = Number(list);
    if (hops < 1 || hops > 10) return "CLAWCALL_TRUSTED_PROXIES: a hop count must be 1 to 10";
    return { kind: "hops", hops };
  }
  const entries = list
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !validEntry(e));
  if (bad.length > 0 || entries.length === 0)
    return `CLAWCALL_TRUSTED_PROXIES: "${bad.join(", ") || list}" is not a hop count, an address, a CIDR range or one of ${Object.keys(NAMED_RANGES).join(", ")}`;
  return { kind: "addresses", entries };
}
