import { describe, expect, it } from "vitest";
import { addressProblem, checkTarget, type Resolve } from "./target.ts";

const resolvingTo =
  (...addresses: string[]): Resolve =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("webhook targets", () => {
  it.each([
    ["10.1.2.3", 4],
    ["172.31.255.255", 4],
    ["192.168.0.10", 4],
    ["127.0.0.1", 4],
    ["169.254.169.254", 4],
    ["100.64.0.1", 4],
    ["0.0.0.0", 4],
    ["224.0.0.1", 4],
    ["::1", 6],
    ["::", 6],
    ["fe80::1", 6],
    ["fd12:3456::1", 6],
    ["::ffff:192.168.1.1", 6],
    ["::ffff:a9fe:a9fe", 6],
    ["64:ff9b::a00:1", 6],
  ] as const)("refuses %s", (address, family) => {
    expect(addressProblem(address, family, false)).toMatch(/private/);
  });

  it.each([
    ["93.184.215.14", 4],
    ["8.8.8.8", 4],
    ["2606:4700::1111", 6],
  ] as const)("allows the public address %s", (address, family) => {
    expect(addressProblem(address, family, false)).toBeNull();
  });

  it("allows loopback only when told to, and nothing else private then", () => {
    expect(addressProblem("127.0.0.1", 4, true)).toBeNull();
    expect(addressProblem("::1", 6, true)).toBeNull();
    expect(addressProblem("10.0.0.1", 4, true)).toMatch(/private/);
    expect(addressProblem("169.254.169.254", 4, true)).toMatch(/private/);
  });

  it("judges every address a name resolves to, and connects to one it checked", async () => {
    const publicOnly = await checkTarget(
      "https://hooks.example.com/x?y=1",
      false,
      resolvingTo("93.184.215.14"),
    );
    expect(publicOnly).toMatchObject({ ok: true, target: { address: "93.184.215.14", family: 4 } });
    // One private answer among public ones refuses the name: a later lookup could return that one.
    const mixed = await checkTarget(
      "https://hooks.example.com/",
      false,
      resolvingTo("93.184.215.14", "10.0.0.7"),
    );
    expect(mixed).toEqual({ ok: false, reason: "it leads to a private, loopback or link-local address" });
    const metadata = await checkTarget(
      "https://metadata.example.com/",
      false,
      resolvingTo("169.254.169.254"),
    );
    expect(metadata.ok).toBe(false);
    const rebound = await checkTarget("https://hooks.example.com/", false, resolvingTo("127.0.0.1"));
    expect(rebound.ok).toBe(false);
  });

  it("refuses names that do not resolve, plain http, and http to loopback unless allowed", async () => {
    const failing: Resolve = async () => {
      throw new Error("ENOTFOUND");
    };
    expect(await checkTarget("https://nowhere.example/", false, failing)).toEqual({
      ok: false,
      reason: "its host nowhere.example could not be resolved",
    });
    expect((await checkTarget("http://hooks.example.com/", false, resolvingTo("93.184.215.14"))).ok).toBe(
      false,
    );
    expect((await checkTarget("http://hooks.example.com/", true, resolvingTo("93.184.215.14"))).ok).toBe(
      false,
    );
    expect((await checkTarget("http://127.0.0.1:9/x", true)).ok).toBe(true);
    expect((await checkTarget("http://127.0.0.1:9/x", false)).ok).toBe(false);
  });
});
