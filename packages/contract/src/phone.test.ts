import { describe, expect, it } from "vitest";
import { refusedDestinationReason } from "./phone.ts";

describe("refusedDestinationReason", () => {
  it("refuses service codes, crisis lines, premium rates and directory assistance", () => {
    for (const n of ["+19115550100", "+12129110100", "+19885550100", "+12129880100", "+18002738255"])
      expect(refusedDestinationReason(n), n).not.toBeNull();
    for (const n of ["+19005550100", "+19765550100", "+12129760100"])
      expect(refusedDestinationReason(n), n).toMatch(/premium/);
    for (const n of ["+12125551212", "+14155551212", "+18005551212"])
      expect(refusedDestinationReason(n), n).toMatch(/directory assistance/);
  });

  it("lets ordinary numbers through, including neighbours of refused ones", () => {
    for (const n of ["+12125550100", "+18002738256", "+12125551213", "+12125561212", "+18005550199"])
      expect(refusedDestinationReason(n), n).toBeNull();
  });
});
