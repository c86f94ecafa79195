import client from "prom-client";
import { describe, expect, it } from "vitest";
import { HTTP_BUCKETS } from "./metrics.ts";
import { RequestDurations } from "./request-durations.ts";

describe("request durations", () => {
  it("are exposed exactly as prom-client's histogram exposes the same observations", async () => {
    const ours = new client.Registry();
    const theirs = new client.Registry();
    const durations = new RequestDurations(ours, HTTP_BUCKETS);
    const histogram = new client.Histogram({
      name: durations.name,
      help: durations.help,
      labelNames: ["route", "method", "status"] as const,
      buckets: HTTP_BUCKETS,
      registers: [theirs],
    });
    const seen: [string, string, number, number][] = [
      ["/call/:id", "GET", 200, 0.0004],
      ["/call/:id", "GET", 200, 0.001],
      ["/call/:id", "GET", 404, 0.0031],
      ["/call", "POST", 201, 0.04],
      ["unknown", "GET", 404, 3.5],
      ["/call/:id", "GET", 200, 0.2],
      ['/odd "route"\\', "GET", 500, 1],
    ];
    for (const [route, method, status, seconds] of seen) {
      durations.observe(route, method, status, seconds);
      histogram.observe({ route, method, status: String(status) }, seconds);
    }
    const text = await ours.metrics();
    expect(text).toContain(
      'clawcall_http_request_duration_seconds_bucket{le="0.001",route="/call/:id",method="GET",status="200"} 2',
    );
    expect(text).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });
});
