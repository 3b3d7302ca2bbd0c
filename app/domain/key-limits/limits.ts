// Per-key limits, pure: what a key may do (its own settings over the provider's defaults) and the
// decision for one authorize call from the key's row and its windowed counters. No I/O here.
import { z } from "zod";
import { ipAllowed, parseCidrList } from "./cidr";

export interface KeyLimitValues {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  dailyTokens: number | null;
  monthlyTokens: number | null;
  /** Model names (as the request names them, or the provider's name for them); null = every model. */
  allowedModels: string[] | null;
  /** CIDR ranges (a bare address is a /32 or /128); null = every client address. */
  allowedCidrs: string[] | null;
}

export const NO_LIMITS: KeyLimitValues = {
  requestsPerMinute: null,
  tokensPerMinute: null,
  dailyTokens: null,
  monthlyTokens: null,
  allowedModels: null,
  allowedCidrs: null,
};

export const LIMIT_FIELDS = ["requestsPerMinute", "tokensPerMinute", "dailyTokens", "monthlyTokens", "allowedModels", "allowedCidrs"] as const;

/** A key's own settings win; a setting the key leaves empty takes the provider's default. */
export function effectiveLimits(own: KeyLimitValues | null, defaults: KeyLimitValues): KeyLimitValues {
  if (!own) return defaults;
  return {
    requestsPerMinute: own.requestsPerMinute ?? defaults.requestsPerMinute,
    tokensPerMinute: own.tokensPerMinute ?? defaults.tokensPerMinute,
    dailyTokens: own.dailyTokens ?? defaults.dailyTokens,
    monthlyTokens: own.monthlyTokens ?? defaults.monthlyTokens,
    allowedModels: own.allowedModels ?? defaults.allowedModels,
    allowedCidrs: own.allowedCidrs ?? defaults.allowedCidrs,
  };
}

export function hasAnyLimit(limits: KeyLimitValues): boolean {
  return LIMIT_FIELDS.some((field) => limits[field] !== null);
}

// ---------------------------------------------------------------------------------------------
// Windows: fixed UTC minute, day and month, named by their start so strings compare in time order.

export interface Windows {
  minute: string;
  day: string;
  month: string;
  /** Milliseconds until the next minute / day / month window. */
  minuteResetMs: number;
  dayResetAt: string;
  monthResetAt: string;
}

export function windowsAt(now: Date): Windows {
  const iso = now.toISOString();
  const nextMinute = Math.floor(now.getTime() / 60_000) * 60_000 + 60_000;
  const nextDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return {
    minute: iso.slice(0, 16),
    day: iso.slice(0, 10),
    month: iso.slice(0, 7),
    minuteResetMs: nextMinute - now.getTime(),
    dayResetAt: new Date(nextDay).toISOString(),
    monthResetAt: new Date(nextMonth).toISOString(),
  };
}

/** What the counters row says, read with the key (all null when the key never counted anything). */
export interface CounterSnapshot {
  minute_start: string | null;
  minute_tokens: number | null;
  day_start: string | null;
  day_tokens: number | null;
  month_start: string | null;
  month_tokens: number | null;
}

/** Tokens counted in the current windows; a window that has moved on counts zero. */
export function currentUsage(counters: CounterSnapshot, windows: Windows) {
  return {
    minuteTokens: counters.minute_start === windows.minute ? Number(counters.minute_tokens ?? 0) : 0,
    dayTokens: counters.day_start === windows.day ? Number(counters.day_tokens ?? 0) : 0,
    monthTokens: counters.month_start === windows.month ? Number(counters.month_tokens ?? 0) : 0,
  };
}

export type LimitRefusal =
  | { code: "ip_not_allowed"; context: { client_ip: string | null } }
  | { code: "model_not_allowed"; context: { model: string | null; allowed_models: string[] } }
  | { code: "budget_exhausted"; context: { budget: "daily" | "monthly" | "member_monthly"; budget_tokens: number; used_tokens: number; resets_at: string } }
  | { code: "rate_limited"; context: { limit: "requests_per_minute" | "tokens_per_minute"; retry_after_ms: number } };

export interface LimitRequest {
  model?: string;
  /** The provider model the request maps to (the allow-list may name either). */
  providerModel?: string | null;
  clientIp?: string;
}

/**
 * Everything decidable from what was read with the key. The requests-per-minute slot is taken
 * afterwards by one counter statement (it must be atomic across instances), only when this passes.
 */
export function checkLimitsBeforeSlot(limits: KeyLimitValues, counters: CounterSnapshot, request: LimitRequest, windows: Windows): LimitRefusal | null {
  if (limits.allowedCidrs !== null) {
    const ranges = parseCidrList(limits.allowedCidrs);
    if (!request.clientIp || !ipAllowed(request.clientIp, ranges)) return { code: "ip_not_allowed", context: { client_ip: request.clientIp ?? null } };
  }
  if (limits.allowedModels !== null) {
    const allowed = limits.allowedModels;
    const named = [request.model, request.providerModel].filter((name): name is string => Boolean(name));
    if (!named.some((name) => allowed.includes(name))) return { code: "model_not_allowed", context: { model: request.model ?? null, allowed_models: allowed } };
  }
  const used = currentUsage(counters, windows);
  if (limits.dailyTokens !== null && used.dayTokens >= limits.dailyTokens) {
    return { code: "budget_exhausted", context: { budget: "daily", budget_tokens: limits.dailyTokens, used_tokens: used.dayTokens, resets_at: windows.dayResetAt } };
  }
  if (limits.monthlyTokens !== null && used.monthTokens >= limits.monthlyTokens) {
    return { code: "budget_exhausted", context: { budget: "monthly", budget_tokens: limits.monthlyTokens, used_tokens: used.monthTokens, resets_at: windows.monthResetAt } };
  }
  if (limits.tokensPerMinute !== null && used.minuteTokens >= limits.tokensPerMinute) {
    return { code: "rate_limited", context: { limit: "tokens_per_minute", retry_after_ms: windows.minuteResetMs } };
  }
  return null;
}

export function requestsRefusal(windows: Windows): LimitRefusal {
  return { code: "rate_limited", context: { limit: "requests_per_minute", retry_after_ms: windows.minuteResetMs } };
}

// ---------------------------------------------------------------------------------------------
// Stored form: the row's columns <-> values.

export interface KeyLimitColumns {
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  daily_tokens: number | null;
  monthly_tokens: number | null;
  allowed_models: string | null;
  allowed_cidrs: string | null;
}

const parsedLists = new Map<string, string[]>();

function listOf(json: string | null): string[] | null {
  if (json === null) return null;
  let list = parsedLists.get(json);
  if (!list) {
    const value: unknown = JSON.parse(json);
    list = Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
    if (parsedLists.size > 10_000) parsedLists.clear();
    parsedLists.set(json, list);
  }
  return list;
}

const countOrNull = (value: number | string | null) => (value === null ? null : Number(value));

export function limitsFromColumns(row: KeyLimitColumns): KeyLimitValues {
  return {
    requestsPerMinute: countOrNull(row.requests_per_minute),
    tokensPerMinute: countOrNull(row.tokens_per_minute),
    dailyTokens: countOrNull(row.daily_tokens),
    monthlyTokens: countOrNull(row.monthly_tokens),
    allowedModels: listOf(row.allowed_models),
    allowedCidrs: listOf(row.allowed_cidrs),
  };
}

export function columnsFromLimits(limits: KeyLimitValues): KeyLimitColumns {
  return {
    requests_per_minute: limits.requestsPerMinute,
    tokens_per_minute: limits.tokensPerMinute,
    daily_tokens: limits.dailyTokens,
    monthly_tokens: limits.monthlyTokens,
    allowed_models: limits.allowedModels === null ? null : JSON.stringify(limits.allowedModels),
    allowed_cidrs: limits.allowedCidrs === null ? null : JSON.stringify(limits.allowedCidrs),
  };
}

// ---------------------------------------------------------------------------------------------
// The form: empty = the provider's default. Lists are one entry per line or comma-separated.

export const MAX_LIST_ENTRIES = 50;
const MAX_COUNT = 1_000_000_000_000;

/** An optional whole number from a form ("1,000,000" accepted); empty = null. Messages are `<prefix>.errors.*`. */
export function optionalCount(max: number, prefix = "keyLimits") {
  return z
    .string()
    .trim()
    .transform((value, ctx) => {
      const digits = value.replace(/[,_\s]/g, "");
      if (digits === "") return null;
      const refuse = (message: string) => {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${prefix}.errors.${message}` });
        return z.NEVER;
      };
      if (!/^\d+$/.test(digits)) return refuse("wholeNumber");
      const count = Number(digits);
      if (count < 1) return refuse("atLeastOne");
      if (count > max) return refuse("tooLarge");
      return count;
    });
}

function splitList(value: string): string[] {
  return [...new Set(value.split(/[\s,，]+/).map((item) => item.trim()).filter(Boolean))];
}

const modelList = z
  .string()
  .transform(splitList)
  .pipe(z.array(z.string().max(100, "keyLimits.errors.modelTooLong").regex(/^[\w.:/@-]+$/, "keyLimits.errors.badModel")).max(MAX_LIST_ENTRIES, "keyLimits.errors.tooManyEntries"))
  .transform((list) => (list.length === 0 ? null : list));

const cidrList = z
  .string()
  .transform(splitList)
  .pipe(z.array(z.string().max(50).refine((entry) => parseCidrList([entry]).length === 1, "keyLimits.errors.badCidr")).max(MAX_LIST_ENTRIES, "keyLimits.errors.tooManyEntries"))
  .transform((list) => (list.length === 0 ? null : list));

export const keyLimitsFormSchema = z.object({
  requestsPerMinute: optionalCount(10_000_000),
  tokensPerMinute: optionalCount(MAX_COUNT),
  dailyTokens: optionalCount(MAX_COUNT),
  monthlyTokens: optionalCount(MAX_COUNT),
  allowedModels: modelList,
  allowedCidrs: cidrList,
});

export type KeyLimitsForm = z.infer<typeof keyLimitsFormSchema>;
