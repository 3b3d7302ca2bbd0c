// What the program gives, in numbers a visitor can check before uploading anything: the policy in
// force, the models the credit pays for, and a worked example run through the real offer formula. Pure.
import { computeOffer, type GrantPolicy, type MonthlyUsage, type OfferClamp } from "./grant-policy";

export interface CoveredModel {
  provider: string;
  /** The OpenAI models it stands in for. */
  replaces: string[];
}

export interface OfferExample {
  months: MonthlyUsage[];
  averageMonthlyTokens: number;
  rawOfferTokens: number;
  offerTokens: number;
  clamp: OfferClamp;
  grantedAtOnce: boolean;
}

export interface ProgramOffer {
  multiplierPercent: number;
  averageMonths: number;
  floorTokens: number;
  capTokens: number;
  promoExpiryDays: number;
  autoApproveLimitTokens: number;
  window: { start: string; end: string };
  models: CoveredModel[];
  example: OfferExample;
}

/** Each provider model once, in the profile's order, with the OpenAI models it replaces. */
export function coveredModels(modelMap: ReadonlyArray<{ openai: string; provider: string }>): CoveredModel[] {
  const byProvider = new Map<string, string[]>();
  for (const pair of modelMap) byProvider.set(pair.provider, [...(byProvider.get(pair.provider) ?? []), pair.openai]);
  return [...byProvider.entries()].map(([provider, replaces]) => ({ provider, replaces }));
}

/** The last whole calendar month of the program window ("YYYY-MM"). */
function lastWholeMonth(end: string): { year: number; month: number } {
  const [year, month, day] = end.split("-").map(Number) as [number, number, number];
  const monthLength = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day === monthLength) return { year, month };
  return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
}

/**
 * An example developer whose usage grows by a million tokens a month, over exactly the months the
 * policy averages and ending with the window's last whole month, run through `computeOffer`.
 */
export function offerExample(policy: GrantPolicy, window: { start: string; end: string }): OfferExample {
  const last = lastWholeMonth(window.end);
  const months: MonthlyUsage[] = [];
  for (let back = policy.averageMonths - 1; back >= 0; back--) {
    const index = last.year * 12 + (last.month - 1) - back;
    const month = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
    months.push({ month, totalTokens: (policy.averageMonths - back + 1) * 1_000_000 });
  }
  const computed = computeOffer(policy, months);
  return {
    months,
    averageMonthlyTokens: computed.averageMonthlyTokens,
    rawOfferTokens: computed.rawOfferTokens,
    offerTokens: computed.offerTokens,
    clamp: computed.clamp,
    grantedAtOnce: computed.offerTokens <= policy.autoApproveLimitTokens,
  };
}

export function describeProgramOffer(
  policy: GrantPolicy,
  modelMap: ReadonlyArray<{ openai: string; provider: string }>,
  window: { start: string; end: string },
): ProgramOffer {
  return {
    multiplierPercent: policy.multiplierPercent,
    averageMonths: policy.averageMonths,
    floorTokens: policy.floorTokens,
    capTokens: policy.capTokens,
    promoExpiryDays: policy.promoExpiryDays,
    autoApproveLimitTokens: policy.autoApproveLimitTokens,
    window,
    models: coveredModels(modelMap),
    example: offerExample(policy, window),
  };
}
