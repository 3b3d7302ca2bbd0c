// The authorize path's limit check: what was read with the key decides IP, model, budgets and
// tokens per minute; requests per minute take one counter statement, only for keys that have it.
import type { DbExecutor } from "~/lib/db.server";
import { takeRequestSlot } from "./counters.server";
import { checkLimitsBeforeSlot, effectiveLimits, hasAnyLimit, limitsFromColumns, requestsRefusal, windowsAt, type CounterSnapshot, type KeyLimitColumns, type KeyLimitValues, type LimitRefusal, type LimitRequest } from "./limits";

/** Columns the gateway's key query adds (joined `api_key_limits as l`, `api_key_counters as c`). */
export const KEY_LIMIT_SELECTION = [
  "l.key_id as limits_key_id",
  "l.requests_per_minute",
  "l.tokens_per_minute",
  "l.daily_tokens",
  "l.monthly_tokens",
  "l.allowed_models",
  "l.allowed_cidrs",
  "c.minute_start",
  "c.minute_tokens",
  "c.day_start",
  "c.day_tokens",
  "c.month_start",
  "c.month_tokens",
] as const;

export interface KeyLimitRow extends KeyLimitColumns, CounterSnapshot {
  id: string;
  limits_key_id: string | null;
}

/**
 * Whether an answer for this key must be checked afresh on every request: a requests-per-minute
 * limit takes a counter slot per request, and a token rate or budget can run out between two.
 */
export function countsRequests(defaults: KeyLimitValues, row: KeyLimitRow): boolean {
  const limits = effectiveLimits(row.limits_key_id === null ? null : limitsFromColumns(row), defaults);
  return limits.requestsPerMinute !== null || limits.tokensPerMinute !== null || limits.dailyTokens !== null || limits.monthlyTokens !== null;
}

/** Null when the request may go ahead (and, with a requests-per-minute limit, its slot is taken). */
export async function enforceKeyLimits(db: DbExecutor, defaults: KeyLimitValues, row: KeyLimitRow, request: LimitRequest, now: Date): Promise<LimitRefusal | null> {
  const limits = effectiveLimits(row.limits_key_id === null ? null : limitsFromColumns(row), defaults);
  if (!hasAnyLimit(limits)) return null;
  const windows = windowsAt(now);
  const refusal = checkLimitsBeforeSlot(limits, row, request, windows);
  if (refusal) return refusal;
  if (limits.requestsPerMinute !== null && !(await takeRequestSlot(db, row.id, limits.requestsPerMinute, windows, now.toISOString()))) return requestsRefusal(windows);
  return null;
}
