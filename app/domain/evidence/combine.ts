// Combining several pieces of evidence: a (day, model) reported twice counts once, at its largest.
import type { DayUsage, ModelUsage, MonthUsage } from "./types";

/** Overlapping days are merged by keeping the largest figure of each measure, never the sum. */
export function combineDays(pieces: Iterable<DayUsage>): DayUsage[] {
  const merged = new Map<string, DayUsage>();
  for (const row of pieces) {
    const key = `${row.day}|${row.model}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { ...row });
      continue;
    }
    seen.inputTokens = Math.max(seen.inputTokens, row.inputTokens);
    seen.outputTokens = Math.max(seen.outputTokens, row.outputTokens);
    seen.costMicros = Math.max(seen.costMicros, row.costMicros);
    seen.requests = Math.max(seen.requests, row.requests);
  }
  return [...merged.values()].sort((a, b) => (a.day === b.day ? a.model.localeCompare(b.model) : a.day < b.day ? -1 : 1));
}

export function monthsOf(days: Iterable<DayUsage>): MonthUsage[] {
  const months = new Map<string, MonthUsage>();
  for (const row of days) {
    const month = row.day.slice(0, 7);
    let total = months.get(month);
    if (!total) {
      total = { month, inputTokens: 0, outputTokens: 0, totalTokens: 0, costMicros: 0 };
      months.set(month, total);
    }
    total.inputTokens += row.inputTokens;
    total.outputTokens += row.outputTokens;
    total.totalTokens += row.inputTokens + row.outputTokens;
    total.costMicros += row.costMicros;
  }
  return [...months.values()].sort((a, b) => (a.month < b.month ? -1 : 1));
}

export function modelsOf(days: Iterable<DayUsage>): ModelUsage[] {
  const models = new Map<string, ModelUsage>();
  for (const row of days) {
    let total = models.get(row.model);
    if (!total) {
      total = { model: row.model, inputTokens: 0, outputTokens: 0, costMicros: 0, requests: 0 };
      models.set(row.model, total);
    }
    total.inputTokens += row.inputTokens;
    total.outputTokens += row.outputTokens;
    total.costMicros += row.costMicros;
    total.requests += row.requests;
  }
  return [...models.values()].sort((a, b) => b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens) || b.costMicros - a.costMicros);
}
