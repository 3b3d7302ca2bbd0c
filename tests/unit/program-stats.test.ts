import { describe, expect, it } from "vitest";
import { bucketByWeek, recentWeeks, weekStart } from "~/domain/program-stats.server";

describe("weekly program numbers", () => {
  it("starts weeks on Monday, UTC", () => {
    expect(weekStart(new Date("2026-11-25T12:00:00Z"))).toBe("2026-11-23"); // a Wednesday
    expect(weekStart(new Date("2026-11-23T00:00:00Z"))).toBe("2026-11-23"); // Monday itself
    expect(weekStart(new Date("2026-11-29T23:59:59Z"))).toBe("2026-11-23"); // Sunday
    expect(weekStart(new Date("2027-01-01T08:00:00Z"))).toBe("2026-12-28"); // across a year end
  });

  it("lists the last weeks oldest first and adds each day into its week", () => {
    const weeks = recentWeeks(new Date("2026-11-25T12:00:00Z"), 3);
    expect(weeks).toEqual(["2026-11-09", "2026-11-16", "2026-11-23"]);
    const totals = bucketByWeek(weeks, [
      { day: "2026-11-01", amount: 100 }, // before the window: dropped
      { day: "2026-11-09", amount: 1 },
      { day: "2026-11-15", amount: 2 },
      { day: "2026-11-16", amount: 3 },
      { day: "2026-11-25", amount: 4 },
    ]);
    expect(totals).toEqual([3, 3, 4]);
  });
});
