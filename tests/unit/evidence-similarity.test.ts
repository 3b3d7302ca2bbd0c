// Near-copy sketches and the exact comparison: copies (a token off, scaled, shifted, partial,
// jittered) are found; honest accounts with the same rhythm but their own noise are not.
import { describe, expect, it } from "vitest";
import { bandKeys, compareSeries, isComparable, isNearCopy, nearbyShifts, probeKeys, residualFeatures, seriesOfDays, SIMILARITY } from "~/domain/evidence/similarity";
import type { DayUsage } from "~/domain/evidence/types";
import { forgedCopy, shapedUsage } from "../fixtures/usage-series";

function seriesOf(rows: DayUsage[]) {
  const [series] = seriesOfDays(rows);
  if (!series) throw new Error("no series");
  return series;
}

/** What the index look-up would find: does the new series probe a key the stored one has? */
function sharesBandKey(stored: DayUsage[], upload: DayUsage[]): boolean {
  const keys = new Set(bandKeys(residualFeatures(seriesOf(stored))));
  return [...probeKeys(residualFeatures(seriesOf(upload))).keys()].some((key) => keys.has(key));
}

const original = shapedUsage({ seed: 1, days: 180, patternSeed: 99 });

describe("near-copies are found", () => {
  const copies: Array<[string, DayUsage[], { scale: number; shiftDays: number }]> = [
    ["every row one token off", forgedCopy(original, { seed: 2 }), { scale: 1, shiftDays: 0 }],
    ["scaled × 1.37", forgedCopy(original, { seed: 3, scale: 1.37 }), { scale: 1.37, shiftDays: 0 }],
    ["scaled × 0.6 and moved 3 days later", forgedCopy(original, { seed: 4, scale: 0.6, shiftDays: 3 }), { scale: 0.6, shiftDays: -3 }],
    ["moved a week earlier", forgedCopy(original, { seed: 5, shiftDays: -7 }), { scale: 1, shiftDays: 7 }],
    ["three of the six months", forgedCopy(original.slice(60, 150), { seed: 6 }), { scale: 1, shiftDays: 0 }],
    ["each day jittered by up to 1 %", forgedCopy(original, { seed: 7, jitter: 0.01 }), { scale: 1, shiftDays: 0 }],
    ["renamed model", forgedCopy(original, { seed: 8, model: "gpt-4-turbo" }), { scale: 1, shiftDays: 0 }],
  ];
  for (const [name, copy, expected] of copies) {
    it(name, () => {
      expect(sharesBandKey(original, copy)).toBe(true);
      const match = compareSeries(seriesOf(copy), seriesOf(original));
      expect(isNearCopy(match)).toBe(true);
      expect(match!.similarity).toBeGreaterThanOrEqual(0.95);
      expect(match!.scale).toBeCloseTo(expected.scale, 2);
      expect(match!.shiftDays).toBe(expected.shiftDays);
    });
  }
});

it("the look-up says at which shift a key matched, so only shifts near it are compared", () => {
  const copy = forgedCopy(original, { seed: 9, shiftDays: 5 });
  const stored = new Set(bandKeys(residualFeatures(seriesOf(original))));
  const hinted = new Set<number>();
  for (const [key, shifts] of probeKeys(residualFeatures(seriesOf(copy)))) if (stored.has(key)) shifts.forEach((shift) => hinted.add(shift));
  expect([...hinted]).toContain(-5);
  const match = compareSeries(seriesOf(copy), seriesOf(original), nearbyShifts(hinted));
  expect(match).toMatchObject({ shiftDays: -5 });
  expect(isNearCopy(match)).toBe(true);
  // Compared only at a wrong shift, the same copy does not match.
  expect(isNearCopy(compareSeries(seriesOf(copy), seriesOf(original), [2]))).toBe(false);
});

describe("honest accounts are not flagged", () => {
  it("same weekly rhythm, trend and events, independent noise (3 % to 20 %)", () => {
    for (const noise of [0.03, 0.05, 0.1, 0.2]) {
      for (let seed = 10; seed < 20; seed++) {
        const other = shapedUsage({ seed: seed * 7, days: 180, patternSeed: 99, noise });
        const match = compareSeries(seriesOf(other), seriesOf(original));
        expect(isNearCopy(match), `noise ${noise} seed ${seed}`).toBe(false);
        expect(match!.similarity).toBeLessThan(0.5);
        expect(sharesBandKey(original, other), `noise ${noise} seed ${seed}`).toBe(false);
      }
    }
  });

  it("flat usage (a nightly job) has no shape to compare and is never sketched", () => {
    const flat = shapedUsage({ seed: 3, days: 120, noise: 0.005, weekend: 1, trend: 0 }).map((row) => ({ ...row }));
    const series = seriesOf(flat);
    expect(isComparable(series)).toBe(false);
    expect(residualFeatures(series).length).toBeLessThan(SIMILARITY.minSeriesFeatures);
  });

  it("tiny usage is not compared", () => {
    const tiny = shapedUsage({ seed: 4, days: 120, level: 300 });
    expect(isComparable(seriesOf(tiny))).toBe(false);
  });

  it("series overlapping for less than four weeks are not compared", () => {
    const early = shapedUsage({ seed: 5, days: 40, startDay: "2024-01-01" });
    const late = forgedCopy(shapedUsage({ seed: 5, days: 40, startDay: "2024-01-01" }).slice(20), { seed: 6 });
    expect(compareSeries(seriesOf(late), seriesOf(early))).toBeNull();
  });
});
