import { describe, expect, it } from "vitest";
import { formatPrice, packageLabel, parsePackages } from "./packages.ts";

describe("call time packages", () => {
  it("parses minutes:amount lists and says what is wrong with a bad one", () => {
    expect(parsePackages("60:900, 300:3900")).toEqual([
      { id: "60", minutes: 60, amount: 900 },
      { id: "300", minutes: 300, amount: 3900 },
    ]);
    expect(parsePackages("60:900,")).toHaveLength(1);
    expect(parsePackages("")).toMatch(/no package/);
    expect(parsePackages("60=900")).toMatch(/"60=900" is not minutes:price_in_cents/);
    expect(parsePackages("60:1e3")).toMatch(/not minutes:price/);
    expect(parsePackages("60:100000000")).toMatch(/price must be/);
    expect(parsePackages("100001:900")).toMatch(/minutes must be/);
    expect(parsePackages("5:100,5:200")).toMatch(/listed twice/);
  });

  it("formats prices in the currency's smallest unit", () => {
    expect(formatPrice(900, "usd")).toBe("$9.00");
    expect(formatPrice(3900, "eur")).toBe("€39.00");
    expect(formatPrice(900, "jpy")).toBe("¥900");
    expect(packageLabel({ id: "1", minutes: 1, amount: 50 })).toBe("1 minute");
    expect(packageLabel({ id: "60", minutes: 60, amount: 900 })).toBe("60 minutes");
  });
});
