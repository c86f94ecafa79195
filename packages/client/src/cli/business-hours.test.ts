import { describe, expect, it } from "vitest";
import { checkLocalTime } from "./business-hours.ts";
import { AREA_CODE_TIME_ZONES, timeZoneOf } from "./nanp-time-zones.ts";

describe("area code → time zone", () => {
  it("knows the big zones and leaves toll-free numbers out", () => {
    expect(timeZoneOf("+12125550100")).toBe("America/New_York");
    expect(timeZoneOf("+13125550100")).toBe("America/Chicago");
    expect(timeZoneOf("+13035550100")).toBe("America/Denver");
    expect(timeZoneOf("+16025550100")).toBe("America/Phoenix");
    expect(timeZoneOf("+14155550100")).toBe("America/Los_Angeles");
    expect(timeZoneOf("+19075550100")).toBe("America/Anchorage");
    expect(timeZoneOf("+18085550100")).toBe("Pacific/Honolulu");
    expect(timeZoneOf("+14165550100")).toBe("America/Toronto");
    expect(timeZoneOf("+18005550100")).toBeNull();
  });

  it("maps every area code to a zone this Node knows", () => {
    for (const zone of new Set(AREA_CODE_TIME_ZONES.values())) {
      expect(() => new Intl.DateTimeFormat("en-US", { timeZone: zone })).not.toThrow();
    }
    expect(AREA_CODE_TIME_ZONES.size).toBeGreaterThan(300);
  });
});

describe("checkLocalTime", () => {
  // Wednesday 4 March 2026.
  it("is quiet during a weekday's business hours there", () => {
    const check = checkLocalTime("+12125550100", new Date("2026-03-04T15:00:00Z"));
    expect(check).toMatchObject({
      outsideHours: false,
      warning: null,
      localTime: "10:00 AM",
      weekday: "Wednesday",
    });
  });

  it("warns after 6 PM and before 8 AM where the callee is, not where the caller is", () => {
    // 23:30 UTC is 6:30 PM in New York but 3:30 PM in Los Angeles.
    const at = new Date("2026-03-04T23:30:00Z");
    expect(checkLocalTime("+12125550100", at)?.warning).toBe(
      "It is 6:30 PM on Wednesday where +12125550100 is (America/New_York): after 6 PM, so a business there is probably closed.",
    );
    expect(checkLocalTime("+14155550100", at)?.outsideHours).toBe(false);
    expect(checkLocalTime("+14155550100", new Date("2026-03-04T15:59:00Z"))?.warning).toContain(
      "before 8 AM",
    );
  });

  it("warns on weekends and says nothing for numbers without a local time", () => {
    expect(checkLocalTime("+12125550100", new Date("2026-03-07T16:00:00Z"))?.warning).toContain(
      "it is Saturday",
    );
    expect(checkLocalTime("+18885550100", new Date("2026-03-07T16:00:00Z"))).toBeNull();
  });
});
