// The pure parts of key limits: windows, CIDR matching, defaults and the form schema.
import { describe, expect, it } from "vitest";
import { ipAllowed, parseCidrList } from "~/domain/key-limits/cidr";
import { checkLimitsBeforeSlot, effectiveLimits, keyLimitsFormSchema, NO_LIMITS, windowsAt } from "~/domain/key-limits/limits";

describe("windows", () => {
  it("are fixed UTC minutes, days and months, with the time to the next one", () => {
    const w = windowsAt(new Date("2026-12-31T23:59:59.400Z"));
    expect(w).toMatchObject({ minute: "2026-12-31T23:59", day: "2026-12-31", month: "2026-12", minuteResetMs: 600, dayResetAt: "2027-01-01T00:00:00.000Z", monthResetAt: "2027-01-01T00:00:00.000Z" });
  });
});

describe("CIDR", () => {
  it("matches IPv4, IPv6, single hosts and IPv4-mapped IPv6 addresses", () => {
    const ranges = parseCidrList(["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"]);
    expect(["10.255.0.1", "2001:db8:ffff::1", "192.0.2.1", "::ffff:10.1.2.3"].every((ip) => ipAllowed(ip, ranges))).toBe(true);
    expect(["11.0.0.1", "2001:db9::1", "192.0.2.2", "not-an-ip"].some((ip) => ipAllowed(ip, ranges))).toBe(false);
    expect(parseCidrList(["10.0.0.0/33", "nonsense"])).toHaveLength(0);
  });
});

describe("limits", () => {
  it("take the key's own value, else the provider's default", () => {
    const defaults = { ...NO_LIMITS, requestsPerMinute: 600, allowedModels: ["glm-4"] };
    expect(effectiveLimits(null, defaults)).toEqual(defaults);
    expect(effectiveLimits({ ...NO_LIMITS, requestsPerMinute: 5 }, defaults)).toEqual({ ...defaults, requestsPerMinute: 5 });
  });

  it("count a window that has moved on as zero", () => {
    const w = windowsAt(new Date("2026-05-02T00:00:10Z"));
    const yesterday = { minute_start: "2026-05-01T23:59", minute_tokens: 999, day_start: "2026-05-01", day_tokens: 999, month_start: "2026-05", month_tokens: 999 };
    expect(checkLimitsBeforeSlot({ ...NO_LIMITS, tokensPerMinute: 10, dailyTokens: 10 }, yesterday, {}, w)).toBeNull();
    expect(checkLimitsBeforeSlot({ ...NO_LIMITS, monthlyTokens: 999 }, yesterday, {}, w)?.code).toBe("budget_exhausted");
  });

  it("form: empty means default, numbers may have separators, lists split on lines and commas", () => {
    const parsed = keyLimitsFormSchema.parse({ requestsPerMinute: " 1,200 ", tokensPerMinute: "", dailyTokens: "", monthlyTokens: "5_000_000", allowedModels: "gpt-4o-mini, glm-4\nglm-4", allowedCidrs: "" });
    expect(parsed).toEqual({ ...NO_LIMITS, requestsPerMinute: 1200, monthlyTokens: 5_000_000, allowedModels: ["gpt-4o-mini", "glm-4"] });
    expect(keyLimitsFormSchema.safeParse({ ...Object.fromEntries(Object.keys(NO_LIMITS).map((k) => [k, ""])), requestsPerMinute: "-3" }).success).toBe(false);
  });
});
