// Near-copies of another account's usage: per-model daily series, their sketches (for an indexed
// candidate look-up) and the exact comparison of a few candidates. Pure.
//
// What a copy keeps and honest usage does not share is the day-to-day noise. Each day's residual
// is its log tokens minus the mean log of the same weekday a week before and after: scale drops
// out (a copy ×1.37 has the same residuals), so do weekly rhythm and trend (which honest accounts
// share). Quantized residuals anchored to their day are the features; a shifted copy has the same
// features a few days away, so look-ups probe each shift. Features are cut into 8-week blocks
// (a copy of part of the usage still fills whole blocks), and each block's MinHash signature is
// banded (LSH): a copy shares a band key with its original, independent usage almost never.
import { dayIndexOf } from "./amounts";
import type { DayUsage } from "./types";

/** One model's usage per day: values[i] is day firstDay + i (0 where nothing was used). */
export interface UsageSeries {
  model: string;
  firstDay: number;
  values: number[];
}

export interface SeriesMatch {
  /** Share of compared days where one series is the other × scale within the tolerance (0–1). */
  similarity: number;
  matchingDays: number;
  comparedDays: number;
  /** a ≈ scale × b. */
  scale: number;
  /** a's day d lines up with b's day d + shiftDays. */
  shiftDays: number;
}

export const SIMILARITY = {
  /** log step of the quantized residuals (≈ 5 %). */
  step: 0.05,
  maxShiftDays: 7,
  blockDays: 56,
  hashesPerBand: 5,
  bands: 10,
  minBlockFeatures: 8,
  /** A series with fewer informative days has no shape to compare (flat usage): never flagged. */
  minSeriesFeatures: 14,
  /** Tiny usage is noise-free by nature (a few requests a day): not compared. */
  minMedianValue: 1_000,
  /** Per-day tolerance of a match: 2 % of the larger value (or a few tokens on small days). */
  tolerance: 0.02,
  absoluteTolerance: 50,
  minComparedDays: 28,
  /** "Most days": at least this share of the compared days match. */
  nearCopyShare: 0.8,
  /** Candidates checked exactly per series, the ones sharing most band keys first. */
  maxCandidates: 25,
} as const;

/** Series per model from day × model rows: tokens, or cost where a model has no token counts. */
export function seriesOfDays(days: Iterable<DayUsage>): UsageSeries[] {
  const byModel = new Map<string, Map<number, { tokens: number; cost: number }>>();
  for (const row of days) {
    let model = byModel.get(row.model);
    if (!model) byModel.set(row.model, (model = new Map()));
    const day = dayIndexOf(row.day);
    const entry = model.get(day) ?? { tokens: 0, cost: 0 };
    entry.tokens += row.inputTokens + row.outputTokens;
    entry.cost += row.costMicros;
    model.set(day, entry);
  }
  const series: UsageSeries[] = [];
  for (const [model, byDay] of byModel) {
    const useTokens = [...byDay.values()].some((entry) => entry.tokens > 0);
    const dayIndexes = [...byDay.keys()];
    const firstDay = Math.min(...dayIndexes);
    const values = new Array<number>(Math.max(...dayIndexes) - firstDay + 1).fill(0);
    for (const [day, entry] of byDay) values[day - firstDay] = useTokens ? entry.tokens : entry.cost;
    series.push({ model, firstDay, values });
  }
  return series;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Quantized residuals by day index, only the informative ones (|q| ≥ 1). */
export function residualFeatures(series: UsageSeries): Array<{ day: number; q: number }> {
  const { values, firstDay } = series;
  const features: Array<{ day: number; q: number }> = [];
  for (let i = 7; i < values.length - 7; i++) {
    const here = values[i]!;
    const before = values[i - 7]!;
    const after = values[i + 7]!;
    if (here <= 0 || before <= 0 || after <= 0) continue;
    const residual = Math.log(here) - (Math.log(before) + Math.log(after)) / 2;
    const q = Math.max(-31, Math.min(31, Math.round(residual / SIMILARITY.step)));
    if (q !== 0) features.push({ day: firstDay + i, q });
  }
  return features;
}

/** Whether a series carries enough shape to be sketched and compared at all. */
export function isComparable(series: UsageSeries, features = residualFeatures(series)): boolean {
  const used = series.values.filter((value) => value > 0);
  return features.length >= SIMILARITY.minSeriesFeatures && median(used) >= SIMILARITY.minMedianValue;
}

function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const HASH_SEEDS = Array.from({ length: SIMILARITY.hashesPerBand * SIMILARITY.bands }, (_, index) => mix32(0x9e3779b9 + index * 0x7f4a7c15));

/** Band keys of a series' features moved by `shift` days: "block.band.hash" for each full enough block. */
export function bandKeys(features: ReadonlyArray<{ day: number; q: number }>, shift = 0): string[] {
  const blocks = new Map<number, number[]>();
  for (const feature of features) {
    const day = feature.day + shift;
    const block = Math.floor(day / SIMILARITY.blockDays);
    let list = blocks.get(block);
    if (!list) blocks.set(block, (list = []));
    list.push(mix32(day * 64 + feature.q + 32));
  }
  const keys: string[] = [];
  for (const [block, hashed] of blocks) {
    if (hashed.length < SIMILARITY.minBlockFeatures) continue;
    const minima = HASH_SEEDS.map((seed) => {
      let min = 0xffffffff;
      for (const value of hashed) {
        const h = mix32(value ^ seed);
        if (h < min) min = h;
      }
      return min;
    });
    for (let band = 0; band < SIMILARITY.bands; band++) {
      let h = band + 1;
      for (let row = 0; row < SIMILARITY.hashesPerBand; row++) h = mix32(Math.imul(h, 31) ^ minima[band * SIMILARITY.hashesPerBand + row]!);
      keys.push(`${block}.${band}.${h.toString(36)}`);
    }
  }
  return keys;
}

/**
 * The keys to look up for a new series, each with the shifts that produced it: a stored series
 * sharing a key at shift s has its day d + s where the new one has day d.
 */
export function probeKeys(features: ReadonlyArray<{ day: number; q: number }>): Map<string, number[]> {
  const keys = new Map<string, number[]>();
  for (let shift = -SIMILARITY.maxShiftDays; shift <= SIMILARITY.maxShiftDays; shift++) {
    for (const key of bandKeys(features, shift)) {
      const shifts = keys.get(key);
      if (shifts) shifts.push(shift);
      else keys.set(key, [shift]);
    }
  }
  return keys;
}

/**
 * The best alignment of two series over the allowed shifts: scale from the median day ratio,
 * then the share of days (used by either) where a ≈ scale × b within the tolerance.
 */
export function compareSeries(a: UsageSeries, b: UsageSeries, shifts: Iterable<number> = allShifts()): SeriesMatch | null {
  let best: SeriesMatch | null = null;
  const aLast = a.firstDay + a.values.length - 1;
  const bLast = b.firstDay + b.values.length - 1;
  for (const shift of shifts) {
    if (Math.abs(shift) > SIMILARITY.maxShiftDays) continue;
    const from = Math.max(a.firstDay, b.firstDay - shift);
    const to = Math.min(aLast, bLast - shift);
    if (to - from + 1 < SIMILARITY.minComparedDays) continue;
    const ratios: number[] = [];
    for (let day = from; day <= to; day++) {
      const x = a.values[day - a.firstDay]!;
      const y = b.values[day + shift - b.firstDay]!;
      if (x > 0 && y > 0) ratios.push(x / y);
    }
    if (ratios.length < SIMILARITY.minComparedDays) continue;
    const scale = median(ratios);
    let compared = 0;
    let matching = 0;
    for (let day = from; day <= to; day++) {
      const x = a.values[day - a.firstDay]!;
      const y = scale * b.values[day + shift - b.firstDay]!;
      if (x === 0 && y === 0) continue;
      compared += 1;
      const allowed = Math.max(SIMILARITY.tolerance * Math.max(x, y), SIMILARITY.absoluteTolerance * Math.max(1, scale));
      if (Math.abs(x - y) <= allowed) matching += 1;
    }
    if (compared < SIMILARITY.minComparedDays) continue;
    const similarity = matching / compared;
    if (!best || similarity > best.similarity) best = { similarity, matchingDays: matching, comparedDays: compared, scale, shiftDays: shift };
  }
  return best;
}

function allShifts(): number[] {
  return Array.from({ length: 2 * SIMILARITY.maxShiftDays + 1 }, (_, index) => index - SIMILARITY.maxShiftDays);
}

/** The shifts the look-up suggested, with a day either side (a shifted block may straddle). */
export function nearbyShifts(hinted: Iterable<number>): number[] {
  const shifts = new Set<number>();
  for (const shift of hinted) for (const near of [shift - 1, shift, shift + 1]) shifts.add(near);
  return [...shifts];
}

export function isNearCopy(match: SeriesMatch | null): match is SeriesMatch {
  return match !== null && match.similarity >= SIMILARITY.nearCopyShare;
}

/** Compact storage of a series' values: integers joined by commas. */
export function encodeValues(values: readonly number[]): string {
  return values.map((value) => Math.round(value)).join(",");
}

export function decodeValues(text: string): number[] {
  return text === "" ? [] : text.split(",").map(Number);
}
