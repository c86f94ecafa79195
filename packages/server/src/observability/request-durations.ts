import type { Metric, Registry } from "prom-client";

const NAME = "clawcall_http_request_duration_seconds";

interface Value {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
  /** Null on buckets, absent on the sum and count, as prom-client has them (no exemplars here). */
  exemplar?: null;
}

interface Series {
  labels: { route: string; method: string; status: string };
  /** Observations per bucket (not cumulative); the last one is above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * HTTP request durations by route, method and status: a Prometheus histogram that counts without
 * prom-client's work per observation (a closure, label checks and a label hash, paid by every request of
 * a client polling thousands of times a second), read out in prom-client's own shape when scraped, so the
 * exposition is the one its Histogram writes.
 */
export class RequestDurations {
  readonly name = NAME;
  readonly help = "HTTP request duration by route and status";
  readonly type = "histogram";
  readonly aggregator = "sum";
  /** By route, method, status: the values repeat, so lookups hash nothing new. */
  private readonly series = new Map<string, Map<string, Map<number, Series>>>();

  constructor(
    registry: Registry,
    private readonly bounds: readonly number[],
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    let byMethod = this.series.get(route);
    if (!byMethod) {
      byMethod = new Map();
      this.series.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (!byStatus) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let series = byStatus.get(status);
    if (!series) {
      series = {
        labels: { route, method, status: String(status) },
        counts: new Float64Array(this.bounds.length + 1),
        sum: 0,
        count: 0,
      };
      byStatus.set(status, series);
    }
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
    series.counts[i]!++;
    series.sum += seconds;
    series.count++;
  }

  reset(): void {
    this.series.clear();
  }

  /** As prom-client's Histogram gives it to the registry's text output. */
  async getForPromString() {
    const values: Value[] = [];
    for (const byMethod of this.series.values()) {
      for (const byStatus of byMethod.values()) {
        for (const s of byStatus.values()) {
          let cumulative = 0;
          this.bounds.forEach((le, i) => {
            cumulative += s.counts[i]!;
            values.push({
              labels: { le },
              sharedLabels: s.labels,
              value: cumulative,
              metricName: `${NAME}_bucket`,
              exemplar: null,
            });
          });
          values.push(
            {
              labels: { le: "+Inf" },
              sharedLabels: s.labels,
              value: s.count,
              metricName: `${NAME}_bucket`,
              exemplar: null,
            },
            { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${NAME}_sum` },
            { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${NAME}_count` },
          );
        }
      }
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** As prom-client's Histogram gives it for JSON: each value's labels whole. */
  async get() {
    const metric = await this.getForPromString();
    return {
      ...metric,
      values: metric.values.map(({ sharedLabels, ...v }) => ({
        ...v,
        labels: { ...v.labels, ...sharedLabels },
      })),
    };
  }
}
