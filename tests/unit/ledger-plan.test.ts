import { describe, expect, it } from "vitest";
import { entryKey, planDebit } from "~/domain/ledger/plan";

describe("planDebit", () => {
  const sources = [
    { grantEntryId: "soon", remaining: 50 },
    { grantEntryId: "late", remaining: 100 },
  ];

  it("takes promo in the given order, then paid", () => {
    expect(planDebit(sources, 30, 170)).toEqual({
      promo: [
        { grantEntryId: "soon", tokens: 50 },
        { grantEntryId: "late", tokens: 100 },
      ],
      paid: 20,
      debited: 170,
      shortfall: 0,
    });
  });

  it("stops at exactly what there is", () => {
    expect(planDebit(sources, 30, 180)).toMatchObject({ paid: 30, debited: 180, shortfall: 0 });
    expect(planDebit(sources, 30, 181)).toMatchObject({ paid: 30, debited: 180, shortfall: 1 });
    expect(planDebit(sources, 30, 50)).toEqual({ promo: [{ grantEntryId: "soon", tokens: 50 }], paid: 0, debited: 50, shortfall: 0 });
    expect(planDebit(sources, 30, 51)).toMatchObject({ promo: [{ grantEntryId: "soon", tokens: 50 }, { grantEntryId: "late", tokens: 1 }] });
  });

  it("handles nothing to take and nothing asked", () => {
    expect(planDebit([], 0, 10)).toEqual({ promo: [], paid: 0, debited: 0, shortfall: 10 });
    expect(planDebit(sources, 30, 0)).toEqual({ promo: [], paid: 0, debited: 0, shortfall: 0 });
    expect(planDebit([{ grantEntryId: "empty", remaining: 0 }], 5, 3)).toEqual({ promo: [], paid: 3, debited: 3, shortfall: 0 });
  });

  it("names the entries of one operation", () => {
    expect([0, 1, 2].map((i) => entryKey("usage:r1", i))).toEqual(["usage:r1", "usage:r1#2", "usage:r1#3"]);
  });
});
