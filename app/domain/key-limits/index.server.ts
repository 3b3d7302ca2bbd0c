// Per-key limits: settings, enforcement on the gateway's authorize path, counters kept by usage.
export { countsRequests, enforceKeyLimits, KEY_LIMIT_SELECTION, type KeyLimitRow } from "./enforce.server";
export { readKeyCounters, takeRequestSlot, usageCountQuery, type KeyCounters } from "./counters.server";
export { getKeyLimits, listKeyLimits, setKeyLimits, type KeyLimitsView } from "./settings.server";
export { effectiveLimits, keyLimitsFormSchema, NO_LIMITS, windowsAt, type KeyLimitValues, type LimitRefusal } from "./limits";
export { memberBudgetRefusal, memberBudgetState, type MemberBudgetState } from "./member-budget.server";
