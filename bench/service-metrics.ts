/** A histogram of the service's Prometheus page, read twice to get what happened in between. */

export type Buckets = Map<number, number>;

/** Cumulative bucket counts of one histogram (upper bound in seconds → count), from GET /metrics. */
export async function readHistogram(url: string, name: string): Promise<Buckets> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const buckets: Buckets = new Map();
  const line = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, "gm");
  for (const m of text.matchAll(line)) {
    buckets.set(m[1] === "+Inf" ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
  }
  return buckets;
}

/**
 * The bucket bound under which `p` percent of the observations between two readings fall, in ms:
 * an upper bound at the histogram's resolution. Null when nothing was observed.
 */
export function percentileBetween(
  before: Buckets,
  after: Buckets,
  p: number,
): { ms: number | null; count: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (count <= 0) return { ms: null, count: 0 };
  for (const le of bounds) {
    const n = (after.get(le) ?? 0) - (before.get(le) ?? 0);
    if (n >= (p / 100) * count) return { ms: le * 1000, count };
  }
  return { ms: Number.POSITIVE_INFINITY, count };
}
