import { describe, expect, it } from "vitest";
import { parseTrustedProxies, type TrustedProxies } from "../config/trusted-proxies.ts";
import { clientGroup, proxyMatcher } from "./client-address.ts";

const parsed = (list: string | undefined, legacy = false) =>
  parseTrustedProxies(list, legacy) as TrustedProxies;

describe("clientGroup", () => {
  it("counts an IPv6 /64 as one client and an IPv4 address (mapped or not) as itself", () => {
    expect(clientGroup("2001:db8:1:2::1")).toBe(clientGroup("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    expect(clientGroup("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(clientGroup("2001:db8:1:3::1")).not.toBe(clientGroup("2001:db8:1:2::1"));
    expect(clientGroup("::1")).toBe("0:0:0:0::/64");
    expect(clientGroup("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(clientGroup("203.0.113.9")).toBe("203.0.113.9");
    expect(clientGroup("203.0.113.10")).not.toBe(clientGroup("203.0.113.9"));
  });
});

describe("trusted proxies", () => {
  it("reads a hop count, a list of addresses and ranges, and the old boolean as one hop", () => {
    expect(parsed("2")).toEqual({ kind: "hops", hops: 2 });
    expect(parsed("10.0.0.1, 192.168.0.0/16,loopback, 2001:db8::/32")).toEqual({
      kind: "addresses",
      entries: ["10.0.0.1", "192.168.0.0/16", "loopback", "2001:db8::/32"],
    });
    expect(parsed(undefined, true)).toEqual({ kind: "hops", hops: 1 });
    expect(parsed(undefined)).toEqual({ kind: "none" });
  });

  it("names what is wrong with a bad value", () => {
    expect(parseTrustedProxies("0", false)).toMatch(/1 to 10/);
    expect(parseTrustedProxies("10.0.0.300", false)).toMatch(/10\.0\.0\.300/);
    expect(parseTrustedProxies("10.0.0.0/33", false)).toMatch(/CLAWCALL_TRUSTED_PROXIES/);
    expect(parseTrustedProxies("proxy.example.com", false)).toMatch(/proxy\.example\.com/);
    expect(parseTrustedProxies("1", true)).toMatch(/set only CLAWCALL_TRUSTED_PROXIES/);
  });

  it("matches peers against the configured addresses and ranges", () => {
    const isProxy = proxyMatcher(parsed("10.1.0.0/16,loopback,2001:db8::7"));
    expect(isProxy("10.1.44.5")).toBe(true);
    expect(isProxy("::ffff:10.1.44.5")).toBe(true);
    expect(isProxy("127.0.0.1")).toBe(true);
    expect(isProxy("::1")).toBe(true);
    expect(isProxy("2001:db8::7")).toBe(true);
    expect(isProxy("10.2.0.1")).toBe(false);
    expect(isProxy("2001:db8::8")).toBe(false);
    expect(proxyMatcher(parsed(undefined))("127.0.0.1")).toBe(false);
  });
});
