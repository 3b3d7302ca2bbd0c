// The grant policy: how verified OpenAI usage becomes an offer of free promotional tokens. Pure.
import { z } from "zod";

export interface GrantPolicy {
  /** Offer = multiplierPercent / 100 × average monthly tokens (integer percent keeps the arithmetic exact). */
  multiplierPercent: number;
  /** How many calendar months, ending with the latest month of accepted evidence, are averaged. */
  averageMonths: number;
  /** Smallest offer for anyone with usage in the window. */
  floorTokens: number;
  /** Largest offer, and the largest amount staff may approve. */
  capTokens: number;
  /** Promotional credit expires this many days after it is granted. */
  promoExpiryDays: number;
  /** Offers up to and including this amount, with no flags, are granted without a human. */
  autoApproveLimitTokens: number;
  /** Grants strictly above this amount need a second approval by another staff member. */
  largeGrantLimitTokens: number;
  /** When an invited account's claim is granted, it and the account that invited it each get this (0 = off). */
  referralBonusTokens: number;
}

/**
 * Ceilings no single admin can lift by editing the policy: a billion tokens is several times the
 * largest 2024 migration offer, and the limits that let one person grant alone stay far below it.
 * Raising them is a code change, reviewed like any other.
 */
export const POLICY_MAXIMA = {
  capTokens: 1_000_000_000,
  largeGrantLimitTokens: 100_000_000,
  autoApproveLimitTokens: 50_000_000,
  promoExpiryDays: 730,
} as const;
const tokens = (max: number) =>
  z.number({ invalid_type_error: "claims.errors.policyNumber" }).int("claims.errors.policyInteger").min(0, "claims.errors.policyNegative").max(max, "claims.errors.policyTooLarge");

const policyFields = {
  multiplierPercent: z.number({ invalid_type_error: "claims.errors.policyNumber" }).int("claims.errors.policyInteger").min(1, "claims.errors.policyMultiplier").max(10_000, "claims.errors.policyMultiplier"),
  averageMonths: z.number({ invalid_type_error: "claims.errors.policyNumber" }).int("claims.errors.policyInteger").min(1, "claims.errors.policyMonths").max(24, "claims.errors.policyMonths"),
  floorTokens: tokens(POLICY_MAXIMA.capTokens),
  capTokens: tokens(POLICY_MAXIMA.capTokens).refine((value) => value > 0, "claims.errors.policyCap"),
  promoExpiryDays: z
    .number({ invalid_type_error: "claims.errors.policyNumber" })
    .int("claims.errors.policyInteger")
    .min(1, "claims.errors.policyExpiry")
    .max(POLICY_MAXIMA.promoExpiryDays, "claims.errors.policyExpiry"),
  autoApproveLimitTokens: tokens(POLICY_MAXIMA.autoApproveLimitTokens),
  largeGrantLimitTokens: tokens(POLICY_MAXIMA.largeGrantLimitTokens),
  referralBonusTokens: tokens(POLICY_MAXIMA.autoApproveLimitTokens),
};

/** A complete policy, with the rules that tie its limits together. */
export const grantPolicySchema = z
  .object(policyFields)
  .strict()
  .superRefine((policy, ctx) => {
    if (policy.floorTokens > policy.capTokens) {
      ctx.addIssue({ code: "custom", path: ["floorTokens"], message: "claims.errors.policyFloorAboveCap" });
    }
    if (policy.autoApproveLimitTokens > policy.largeGrantLimitTokens) {
      // An automatic grant must never skip the second approval a large grant needs.
      ctx.addIssue({ code: "custom", path: ["autoApproveLimitTokens"], message: "claims.errors.policyAutoAboveLarge" });
    }
    if (policy.referralBonusTokens > policy.autoApproveLimitTokens) {
      // Nobody reviews a referral bonus, so it stays within what may be granted without a human.
      ctx.addIssue({ code: "custom", path: ["referralBonusTokens"], message: "claims.errors.policyReferralAboveAuto" });
    }
    if (policy.largeGrantLimitTokens > policy.capTokens) {
      // Otherwise no grant would ever need the second approver.
      ctx.addIssue({ code: "custom", path: ["largeGrantLimitTokens"], message: "claims.errors.policyLargeAboveCap" });
    }
  });

/** A partial change to a policy (what env and the settings table hold). */
export const grantPolicyPatchSchema = z.object(policyFields).partial().strict();
export type GrantPolicyPatch = z.infer<typeof grantPolicyPatchSchema>;

export const GRANT_POLICY_KEYS = Object.keys(policyFields) as Array<keyof GrantPolicy>;

/** Layers patches over a base (later wins) and validates the result. */
export function resolveGrantPolicy(
  base: GrantPolicy,
  ...patches: Array<GrantPolicyPatch | undefined>
): { ok: true; policy: GrantPolicy } | { ok: false; error: z.ZodError } {
  const merged: GrantPolicy = { ...base };
  for (const patch of patches) {
    if (!patch) continue;
    for (const key of GRANT_POLICY_KEYS) {
      const value = patch[key];
      if (value !== undefined) merged[key] = value;
    }
  }
  const parsed = grantPolicySchema.safeParse(merged);
  return parsed.success ? { ok: true, policy: parsed.data } : { ok: false, error: parsed.error };
}

export interface MonthlyUsage {
  /** "YYYY-MM" */
  month: string;
  totalTokens: number;
}

export interface OfferMonth {
  month: string;
  totalTokens: number;
  /** True when the window had no accepted evidence for this month: it counts as zero. */
  missing: boolean;
  /** Days of this month inside the program window, and the month's length: a partial month counts as that share. */
  windowDays: number;
  monthDays: number;
}

/** The program window (inclusive UTC days "YYYY-MM-DD"): its first and last month may be partial. */
export interface ProgramDays {
  start: string;
  end: string;
}

export type OfferClamp = "none" | "floor" | "cap";

export interface OfferComputation {
  /** The calendar months averaged, oldest first. */
  window: OfferMonth[];
  windowTokens: number;
  /** Months the total is divided by: whole months count 1, a month cut by the program window its share of days. */
  countedMonths: number;
  averageMonthlyTokens: number;
  multiplierPercent: number;
  /** multiplier × average, before floor and cap. */
  rawOfferTokens: number;
  floorTokens: number;
  capTokens: number;
  clamp: OfferClamp;
  offerTokens: number;
  /** No usage in the window: nothing to offer, the floor does not apply. */
  eligible: boolean;
}

const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

function monthIndex(month: string): number {
  const match = MONTH_PATTERN.exec(month);
  if (!match) throw new Error(`not a YYYY-MM month: ${month}`);
  return Number(match[1]) * 12 + (Number(match[2]) - 1);
}

function monthName(index: number): string {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
}

function daysInMonth(index: number): number {
  return new Date(Date.UTC(Math.floor(index / 12), (index % 12) + 1, 0)).getUTCDate();
}

/** Days of month `index` inside the program window (all of them without a window). */
function daysInProgram(index: number, program: ProgramDays | undefined): number {
  const length = daysInMonth(index);
  if (!program) return length;
  const first = monthIndex(program.start.slice(0, 7));
  const last = monthIndex(program.end.slice(0, 7));
  if (index < first || index > last) return 0;
  const from = index === first ? Number(program.start.slice(8, 10)) : 1;
  const to = index === last ? Number(program.end.slice(8, 10)) : length;
  return Math.max(0, to - from + 1);
}

/**
 * The offer for a developer's accepted usage. The window is the `averageMonths` calendar months
 * ending with the latest month that has evidence; a month without evidence counts as zero, so
 * uploading only the busiest month does not inflate the average. A month the program window cuts
 * (the cutoff month ends on the cutoff day) counts as its share of days, not as a whole month:
 * average = window tokens ÷ Σ (days in the program ÷ days in the month).
 */
export function computeOffer(policy: GrantPolicy, months: readonly MonthlyUsage[], program?: ProgramDays): OfferComputation {
  const byMonth = new Map<number, number>();
  for (const entry of months) {
    if (!Number.isSafeInteger(entry.totalTokens) || entry.totalTokens < 0) throw new Error(`bad token count for ${entry.month}`);
    const index = monthIndex(entry.month);
    byMonth.set(index, (byMonth.get(index) ?? 0) + entry.totalTokens);
  }
  const withUsage = [...byMonth.entries()].filter(([, total]) => total > 0).map(([index]) => index);
  const base = {
    multiplierPercent: policy.multiplierPercent,
    floorTokens: policy.floorTokens,
    capTokens: policy.capTokens,
  };
  if (withUsage.length === 0) {
    return { ...base, window: [], windowTokens: 0, countedMonths: 0, averageMonthlyTokens: 0, rawOfferTokens: 0, clamp: "none", offerTokens: 0, eligible: false };
  }
  const latest = Math.max(...withUsage);
  const window: OfferMonth[] = [];
  for (let index = latest - policy.averageMonths + 1; index <= latest; index++) {
    const total = byMonth.get(index);
    // Usage outside the program window was never accepted, so a month with usage is at least partly inside.
    const windowDays = total !== undefined ? Math.max(1, daysInProgram(index, program)) : daysInProgram(index, program);
    window.push({ month: monthName(index), totalTokens: total ?? 0, missing: total === undefined, windowDays, monthDays: daysInMonth(index) });
  }
  const windowTokens = window.reduce((sum, month) => sum + month.totalTokens, 0);
  // Exact rational arithmetic: Σ windowDays/monthDays over a common denominator (every month length divides it).
  const denominator = 28n * 29n * 30n * 31n;
  const counted = window.reduce((sum, month) => sum + (BigInt(month.windowDays) * denominator) / BigInt(month.monthDays), 0n);
  const averageMonthlyTokens = counted === 0n ? 0 : Number((BigInt(windowTokens) * denominator) / counted);
  const countedMonths = Math.round((Number(counted) / Number(denominator)) * 100) / 100;
  // BigInt so a large average times a large percent never loses precision.
  const rawOfferTokens = Number((BigInt(averageMonthlyTokens) * BigInt(policy.multiplierPercent)) / 100n);
  let offerTokens = rawOfferTokens;
  let clamp: OfferClamp = "none";
  if (offerTokens < policy.floorTokens) {
    offerTokens = policy.floorTokens;
    clamp = "floor";
  }
  if (offerTokens > policy.capTokens) {
    offerTokens = policy.capTokens;
    clamp = "cap";
  }
  return { ...base, window, windowTokens, countedMonths, averageMonthlyTokens, rawOfferTokens, clamp, offerTokens, eligible: offerTokens > 0 };
}

/** Granted at once only when small enough and nothing looks wrong. */
export function canAutoApprove(policy: GrantPolicy, offerTokens: number, flagCount: number): boolean {
  return flagCount === 0 && offerTokens > 0 && offerTokens <= policy.autoApproveLimitTokens;
}

/** A grant strictly above the large-grant limit needs two different approvers. */
export function needsSecondApproval(policy: GrantPolicy, grantTokens: number): boolean {
  return grantTokens > policy.largeGrantLimitTokens;
}

/** Staff may approve any positive amount up to the cap. */
export function isApprovableAmount(policy: GrantPolicy, grantTokens: number): boolean {
  return Number.isSafeInteger(grantTokens) && grantTokens > 0 && grantTokens <= policy.capTokens;
}

/** When promotional credit granted at `grantedAt` expires. */
export function promoExpiresAt(policy: GrantPolicy, grantedAt: Date): string {
  return new Date(grantedAt.getTime() + policy.promoExpiryDays * 86_400_000).toISOString();
}
