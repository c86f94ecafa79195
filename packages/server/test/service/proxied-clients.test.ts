import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../helpers/service.ts";

const CALL = { to: "+12125550101", task: "Ask whether they are open on Saturday." };

/** Mints a key for a client seen through the proxy with this X-Forwarded-For header. */
const mint = (service: TestService, forwardedFor: string) =>
  service.request("POST", "/call", { body: CALL, headers: { "x-forwarded-for": forwardedFor } });

describe("per-client limits behind a trusted proxy", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      CLAWCALL_TRUSTED_PROXIES: "127.0.0.1",
      CLAWCALL_MINTS_PER_HOUR: "2",
      CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "20",
    });
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("a client cannot choose its own address by sending X-Forwarded-For itself", async () => {
    // The proxy appends the address it saw; what the client sent stays on the left and is not believed.
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await mint(service, `198.51.100.${i}, 203.0.113.7`)).status);
    expect(statuses).toEqual([201, 201, 429, 429]);
    // Another client behind the same proxy keeps its own allowance.
    expect((await mint(service, "203.0.113.8")).status).toBe(201);
  });

  it("counts the addresses of one IPv6 /64 as one client", async () => {
    expect((await mint(service, "2001:db8:5:6::1")).status).toBe(201);
    expect((await mint(service, "2001:db8:5:6::2")).status).toBe(201);
    const third = await mint(service, "2001:db8:5:6:abcd::9");
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe("rate_limited");
    expect((await mint(service, "2001:db8:5:7::1")).status).toBe(201);
  });
});

describe("per-client limits behind a proxy given as a hop count", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ CLAWCALL_TRUSTED_PROXIES: "1", CLAWCALL_MINTS_PER_HOUR: "1" });
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("believes only the address the proxy appended", async () => {
    expect((await mint(service, "10.9.9.1, 203.0.113.20")).status).toBe(201);
    expect((await mint(service, "10.9.9.2, 203.0.113.20")).status).toBe(429);
    expect((await mint(service, "203.0.113.21")).status).toBe(201);
  });
});
