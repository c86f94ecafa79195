import { lookup } from "node:dns/promises";
import net from "node:net";
import { webhookUrlProblem } from "@clawcall/contract";

/** Where a delivery may go: an address checked after DNS resolution, and the names to present there. */
export interface Target {
  url: URL;
  /** The address connected to: the one checked, so a second lookup (DNS rebinding) cannot move it. */
  address: string;
  family: 4 | 6;
}

export type TargetCheck = { ok: true; target: Target } | { ok: false; reason: string };

/** Addresses no webhook may reach: private, shared, link-local (cloud metadata), reserved, multicast. */
const FORBIDDEN = new net.BlockList();
for (const [net4, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  FORBIDDEN.addSubnet(net4, prefix, "ipv4");
}
for (const [net6, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 23],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  FORBIDDEN.addSubnet(net6, prefix, "ipv6");
}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** An IPv6 address that carries an IPv4 one (`::ffff:10.0.0.1`) is judged as that IPv4 address. */
function unwrap(address: string, family: 4 | 6): { address: string; family: 4 | 6 } {
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return { address: mapped[1], family: 4 };
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
    if (hex?.[1] && hex[2]) {
      const hi = Number.parseInt(hex[1], 16);
      const lo = Number.parseInt(hex[2], 16);
      return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 4 };
    }
  }
  return { address, family };
}

function isLoopback(address: string, family: 4 | 6): boolean {
  const a = unwrap(address, family);
  return LOOPBACK.check(a.address, a.family === 4 ? "ipv4" : "ipv6");
}

/** Why an address may not be reached (null when it may). */
export function addressProblem(address: string, family: 4 | 6, allowLoopback: boolean): string | null {
  if (allowLoopback && isLoopback(address, family)) return null;
  const a = unwrap(address, family);
  if (FORBIDDEN.check(a.address, a.family === 4 ? "ipv4" : "ipv6")) {
    return "it leads to a private, loopback or link-local address";
  }
  return null;
}

export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: Resolve = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Checks a webhook URL the way every delivery does: its form, https (plain http only to loopback when
 * that is allowed), and every address its name resolves to: one private address refuses it all, since a
 * later lookup could return that one.
 */
export async function checkTarget(
  raw: string,
  allowLoopback: boolean,
  resolve: Resolve = systemResolve,
): Promise<TargetCheck> {
  const problem = webhookUrlProblem(raw);
  if (problem !== null) return { ok: false, reason: problem };
  const url = new URL(raw);
  if (url.protocol !== "https:" && !allowLoopback) return { ok: false, reason: "must be an https:// URL" };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: { address: string; family: 4 | 6 }[];
  const literal = net.isIP(host);
  if (literal !== 0) {
    addresses = [{ address: host, family: literal as 4 | 6 }];
  } else {
    try {
      const found = await withTimeout(resolve(host), 5_000);
      addresses = found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    } catch {
      return { ok: false, reason: `its host ${host} could not be resolved` };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: `its host ${host} could not be resolved` };
  for (const a of addresses) {
    const why = addressProblem(a.address, a.family, allowLoopback);
    if (why !== null) return { ok: false, reason: why };
  }
  const first = addresses[0]!;
  if (url.protocol !== "https:") {
    const loopback = allowLoopback && addresses.every((a) => isLoopback(a.address, a.family));
    if (!loopback) return { ok: false, reason: "must be an https:// URL" };
  }
  return { ok: true, target: { url, address: first.address, family: first.family } };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timed out")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
