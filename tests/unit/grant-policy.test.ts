import { describe, expect, it } from "vitest";
import {
  canAutoApprove,
  computeOffer,
  grantPolicySchema,
  isApprovableAmount,
  needsSecondApproval,
  promoExpiresAt,
  resolveGrantPolicy,
  type GrantPolicy,
} from "~/domain/grant-policy";
import { providerProfiles } from "~/providers";

const policy: GrantPolicy = {
  multiplierPercent: 100,
  averageMonths: 3,
  floorTokens: 1_000,
  capTokens: 100_000,
  promoExpiryDays: 90,
  autoApproveLimitTokens: 10_000,
  largeGrantLimitTokens: 50_000,
  referralBonusTokens: 0,
};

/** Three full months whose average is exactly `average`. */
function steady(average: number) {
  return [
    { month: "2024-04", totalTokens: average },
    { month: "2024-05", totalTokens: average },
    { month: "2024-06", totalTokens: average },
  ];
}

describe("computeOffer", () => {
  it("offers multiplier × average over the window", () => {
    const offer = computeOffer({ ...policy, multiplierPercent: 150 }, steady(20_000));
    expect(offer).toMatchObject({ averageMonthlyTokens: 20_000, rawOfferTokens: 30_000, offerTokens: 30_000, clamp: "none", eligible: true });
    expect(offer.window.map((m) => m.month)).toEqual(["2024-04", "2024-05", "2024-06"]);
  });

  it("zero usage: no offer, the floor does not apply", () => {
    expect(computeOffer(policy, [])).toMatchObject({ offerTokens: 0, eligible: false, window: [] });
    expect(computeOffer(policy, steady(0))).toMatchObject({ offerTokens: 0, eligible: false });
  });

  it("floor: one under is raised, exactly at and one over are kept", () => {
    expect(computeOffer(policy, steady(999))).toMatchObject({ rawOfferTokens: 999, offerTokens: 1_000, clamp: "floor" });
    expect(computeOffer(policy, steady(1_000))).toMatchObject({ offerTokens: 1_000, clamp: "none" });
    expect(computeOffer(policy, steady(1_001))).toMatchObject({ offerTokens: 1_001, clamp: "none" });
  });

  it("a single token of usage still gets the floor", () => {
    expect(computeOffer(policy, [{ month: "2024-06", totalTokens: 1 }])).toMatchObject({ averageMonthlyTokens: 0, offerTokens: 1_000, clamp: "floor", eligible: true });
  });

  it("cap: one under and exactly at are kept, one over is cut", () => {
    expect(computeOffer(policy, steady(99_999))).toMatchObject({ offerTokens: 99_999, clamp: "none" });
    expect(computeOffer(policy, steady(100_000))).toMatchObject({ offerTokens: 100_000, clamp: "none" });
    expect(computeOffer(policy, steady(100_001))).toMatchObject({ rawOfferTokens: 100_001, offerTokens: 100_000, clamp: "cap" });
  });

  it("averages only the latest N calendar months; older months are ignored", () => {
    const offer = computeOffer(policy, [
      { month: "2023-12", totalTokens: 9_000_000 },
      ...steady(3_000),
    ]);
    expect(offer.windowTokens).toBe(9_000);
    expect(offer.averageMonthlyTokens).toBe(3_000);
  });

  it("a gap in the window counts as a zero month", () => {
    const offer = computeOffer(policy, [
      { month: "2024-04", totalTokens: 6_000 },
      { month: "2024-06", totalTokens: 3_000 },
    ]);
    expect(offer.window).toEqual([
      { month: "2024-04", totalTokens: 6_000, missing: false, windowDays: 30, monthDays: 30 },
      { month: "2024-05", totalTokens: 0, missing: true, windowDays: 31, monthDays: 31 },
      { month: "2024-06", totalTokens: 3_000, missing: false, windowDays: 30, monthDays: 30 },
    ]);
    expect(offer.averageMonthlyTokens).toBe(3_000);
  });

  it("the window crosses a year boundary and ends at the latest month with usage", () => {
    const offer = computeOffer(policy, [
      { month: "2024-01", totalTokens: 3_000 },
      { month: "2023-12", totalTokens: 3_000 },
      { month: "2024-02", totalTokens: 0 },
    ]);
    expect(offer.window.map((m) => m.month)).toEqual(["2023-11", "2023-12", "2024-01"]);
    expect(offer.averageMonthlyTokens).toBe(2_000);
  });

  it("adds up rows of the same month and rounds the average down", () => {
    const offer = computeOffer({ ...policy, averageMonths: 2 }, [
      { month: "2024-06", totalTokens: 1_500 },
      { month: "2024-06", totalTokens: 1_501 },
    ]);
    expect(offer.windowTokens).toBe(3_001);
    expect(offer.averageMonthlyTokens).toBe(1_500);
  });

  it("keeps integer precision with huge numbers", () => {
    const big = { ...policy, capTokens: 1_000_000_000_000, multiplierPercent: 10_000, averageMonths: 1 };
    expect(computeOffer(big, [{ month: "2024-06", totalTokens: 9_000_000_001 }]).rawOfferTokens).toBe(900_000_000_100);
  });

  it("refuses malformed months and counts", () => {
    expect(() => computeOffer(policy, [{ month: "2024-13", totalTokens: 1 }])).toThrow();
    expect(() => computeOffer(policy, [{ month: "2024-06", totalTokens: -1 }])).toThrow();
    expect(() => computeOffer(policy, [{ month: "2024-06", totalTokens: 1.5 }])).toThrow();
  });
});

describe("limits", () => {
  it("auto-approve: exactly at and one under yes, one over no", () => {
    expect(canAutoApprove(policy, 9_999, 0)).toBe(true);
    expect(canAutoApprove(policy, 10_000, 0)).toBe(true);
    expect(canAutoApprove(policy, 10_001, 0)).toBe(false);
  });

  it("auto-approve: never with a flag, never for nothing", () => {
    expect(canAutoApprove(policy, 5_000, 1)).toBe(false);
    expect(canAutoApprove(policy, 0, 0)).toBe(false);
  });

  it("large grant: exactly at and one under need one approval, one over needs two", () => {
    expect(needsSecondApproval(policy, 49_999)).toBe(false);
    expect(needsSecondApproval(policy, 50_000)).toBe(false);
    expect(needsSecondApproval(policy, 50_001)).toBe(true);
  });

  it("approvable amounts: 1 up to the cap", () => {
    expect(isApprovableAmount(policy, 0)).toBe(false);
    expect(isApprovableAmount(policy, 1)).toBe(true);
    expect(isApprovableAmount(policy, 99_999)).toBe(true);
    expect(isApprovableAmount(policy, 100_000)).toBe(true);
    expect(isApprovableAmount(policy, 100_001)).toBe(false);
    expect(isApprovableAmount(policy, 12.5)).toBe(false);
  });

  it("promo expiry is exactly N days after the grant", () => {
    expect(promoExpiresAt(policy, new Date("2024-07-01T00:00:00.000Z"))).toBe("2024-09-29T00:00:00.000Z");
  });
});

describe("policy validation and layering", () => {
  it("every provider profile ships a valid policy; glm is capped at 150M tokens", () => {
    for (const profile of Object.values(providerProfiles)) {
      expect(grantPolicySchema.safeParse(profile.grantPolicy).success).toBe(true);
    }
    expect(providerProfiles.glm.grantPolicy.capTokens).toBe(150_000_000);
  });

  it("later patches win; unknown keys are refused by the schema", () => {
    const resolved = resolveGrantPolicy(policy, { capTokens: 200_000 }, { capTokens: 300_000, promoExpiryDays: 30 });
    expect(resolved.ok && resolved.policy).toMatchObject({ capTokens: 300_000, promoExpiryDays: 30, floorTokens: 1_000 });
  });

  it("floor above cap is refused; floor equal to cap is fine", () => {
    expect(resolveGrantPolicy(policy, { floorTokens: 100_001 }).ok).toBe(false);
    expect(resolveGrantPolicy(policy, { floorTokens: 100_000 }).ok).toBe(true);
  });

  it("auto-approve limit above the large-grant limit is refused; equal is fine", () => {
    expect(resolveGrantPolicy(policy, { autoApproveLimitTokens: 50_001 }).ok).toBe(false);
    expect(resolveGrantPolicy(policy, { autoApproveLimitTokens: 50_000 }).ok).toBe(true);
  });

  it("refuses fractions, negatives, zero months and a zero cap", () => {
    expect(resolveGrantPolicy(policy, { floorTokens: -1 }).ok).toBe(false);
    expect(resolveGrantPolicy(policy, { capTokens: 0 }).ok).toBe(false);
    expect(resolveGrantPolicy(policy, { averageMonths: 0 }).ok).toBe(false);
    expect(resolveGrantPolicy(policy, { multiplierPercent: 1.5 }).ok).toBe(false);
  });
});

describe("computeOffer: a month the program window cuts short", () => {
  const program = { start: "2023-07-01", end: "2024-07-09" };
  /** The same tokens every day from `from` to `to`, as monthly totals. */
  function daily(perDay: number, from: string, to: string) {
    const months = new Map<string, number>();
    for (let day = Date.parse(`${from}T00:00:00Z`); day <= Date.parse(`${to}T00:00:00Z`); day += 86_400_000) {
      const month = new Date(day).toISOString().slice(0, 7);
      months.set(month, (months.get(month) ?? 0) + perDay);
    }
    return [...months].map(([month, totalTokens]) => ({ month, totalTokens }));
  }
  const wide = { ...policy, capTokens: 1_000_000_000 };

  it("counts the 9 days of the cutoff month as 9/31 of a month, not a whole one", () => {
    const offer = computeOffer(wide, daily(1_000, "2024-04-01", "2024-07-09"), program);
    expect(offer.window.map((m) => [m.month, m.totalTokens, m.windowDays, m.monthDays])).toEqual([
      ["2024-05", 31_000, 31, 31],
      ["2024-06", 30_000, 30, 30],
      ["2024-07", 9_000, 9, 31],
    ]);
    expect(offer.countedMonths).toBe(2.29);
    // 70,000 ÷ (1 + 1 + 9/31) = 30,563.38…: steady usage keeps its real monthly rate.
    expect(offer.averageMonthlyTokens).toBe(30_563);
    // Without the proration it would have been 70,000 ÷ 3 = 23,333, a quarter less.
    expect(computeOffer(wide, daily(1_000, "2024-04-01", "2024-07-09")).averageMonthlyTokens).toBe(23_333);
  });

  it("leaves whole months as they were, and prorates a late program start too", () => {
    expect(computeOffer(wide, daily(1_000, "2024-04-01", "2024-06-30"), program)).toMatchObject({ averageMonthlyTokens: 30_333, countedMonths: 3 });
    const lateStart = { start: "2023-07-15", end: "2024-07-09" };
    const offer = computeOffer({ ...wide, averageMonths: 1 }, daily(1_000, "2023-07-15", "2023-07-31"), lateStart);
    expect(offer.window).toEqual([{ month: "2023-07", totalTokens: 17_000, missing: false, windowDays: 17, monthDays: 31 }]);
    expect(offer.averageMonthlyTokens).toBe(31_000);
  });

  it("a month without evidence inside the window still counts as a whole zero month", () => {
    const offer = computeOffer(wide, [{ month: "2024-05", totalTokens: 31_000 }, { month: "2024-07", totalTokens: 9_000 }], program);
    expect(offer.window.map((m) => [m.month, m.missing, m.windowDays])).toEqual([["2024-05", false, 31], ["2024-06", true, 30], ["2024-07", false, 9]]);
    expect(offer.averageMonthlyTokens).toBe(Math.floor((40_000 * 31) / 71));
  });

  it("months before the program started are not counted at all", () => {
    const offer = computeOffer(wide, [{ month: "2023-07", totalTokens: 31_000 }], program);
    expect(offer.window.map((m) => [m.month, m.windowDays])).toEqual([["2023-05", 0], ["2023-06", 0], ["2023-07", 31]]);
    expect(offer).toMatchObject({ countedMonths: 1, averageMonthlyTokens: 31_000 });
  });
});
