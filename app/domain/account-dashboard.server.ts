// The developer's dashboard: where the account stands (credit, claim, keys, recent usage) and the
// one thing to do next.
import type { DbExecutor } from "~/lib/db.server";
import { listApiKeys } from "./api-keys.server";
import { getClaimOverview, GRANTED_STATUSES, OPEN_STATUSES, type Ineligibility } from "./claims.server";
import type { GrantPolicy } from "./grant-policy";
import { getBalance } from "./ledger.server";
import { getDailyUsage, type DayUsage } from "./usage-daily.server";

export type ClaimState =
  | { state: "none"; offerTokens: number; ineligible: Ineligibility[]; hasEvidence: boolean }
  | { state: "in_review"; offeredTokens: number; submittedAt: string }
  | { state: "needs_info"; message: string }
  | { state: "rejected"; reason: string; canClaimAgain: boolean }
  | { state: "granted"; grantedTokens: number; decidedAt: string | null };

import type { NextAction } from "./account-dashboard-actions";

export type { NextAction };

export interface AccountDashboard {
  balance: { total: number; promo: number; paid: number };
  /** The promotional credit that runs out first. */
  nextPromoExpiry: { tokens: number; expiresAt: string } | null;
  claim: ClaimState;
  next: NextAction;
  keys: { active: number; lastUsedAt: string | null; newest: Array<{ id: string; name: string; visiblePrefix: string; lastFour: string; lastUsedAt: string | null }> };
  /** Null until the account has a key: there is no usage to show before. */
  usage: DayUsage[] | null;
  /** The onboarding steps' facts: accepted evidence, the claim step, any key (even revoked), any key used. */
  progress: { hasAcceptedEvidence: boolean; claimStep: "done" | "next" | "later"; hasAnyKey: boolean; keyUsed: boolean };
  /** The grant policy in force (read once for the claim overview; the offer panel describes it). */
  policy: GrantPolicy;
}

function claimStateOf(overview: Awaited<ReturnType<typeof getClaimOverview>>, hasEvidence: boolean): ClaimState {
  const current = overview.current;
  if (!current) return { state: "none", offerTokens: overview.offer.offerTokens, ineligible: overview.ineligible, hasEvidence };
  switch (current.status) {
    case "approved":
    case "auto_approved":
      return { state: "granted", grantedTokens: current.grantedTokens ?? 0, decidedAt: current.decidedAt };
    case "pending":
      return { state: "in_review", offeredTokens: current.offeredTokens, submittedAt: current.submittedAt };
    case "needs_info":
      return { state: "needs_info", message: current.infoRequest ?? "" };
    case "rejected":
      return { state: "rejected", reason: current.decisionReason ?? "", canClaimAgain: overview.ineligible.length === 0 };
  }
}

/** The one next step: what moves this account forward now. */
export function nextActionOf(claim: ClaimState, context: { emailVerified: boolean; activeKeys: number; keyUsed: boolean; balanceTotal: number }): NextAction {
  switch (claim.state) {
    case "none":
      if (!context.emailVerified) return "verify_email";
      if (!claim.hasEvidence || claim.ineligible.includes("no_usage")) return "upload_evidence";
      return claim.ineligible.length === 0 ? "claim" : "blocked";
    case "in_review":
      return "wait_review";
    case "needs_info":
      return "answer_staff";
    case "rejected":
      return claim.canClaimAgain ? "claim" : "new_evidence";
    case "granted":
      if (context.balanceTotal <= 0) return "top_up";
      if (context.activeKeys === 0) return "create_key";
      return context.keyUsed ? "see_usage" : "use_key";
  }
}

export async function getAccountDashboard(db: DbExecutor, account: { id: string; emailVerified: boolean }, now: Date = new Date()): Promise<AccountDashboard> {
  const [balance, overview, keys] = await Promise.all([getBalance(db, account.id, now), getClaimOverview(db, account.id), listApiKeys(db, account.id, now)]);
  const hasEvidence = overview.hasAcceptedEvidence;
  const usable = keys.filter((key) => key.status === "active" || key.status === "rolling");
  const lastUsedAt = keys.map((key) => key.lastUsedAt).filter((at): at is string => at !== null).sort().at(-1) ?? null;
  const usage = keys.length > 0 ? await getDailyUsage(db, account.id, { days: 7, now }) : null;
  const claim = claimStateOf(overview, hasEvidence);
  const firstGrant = balance.promoGrants[0];
  const claimStep = overview.claims.some((one) => GRANTED_STATUSES.includes(one.status))
    ? "done"
    : overview.claims.some((one) => OPEN_STATUSES.includes(one.status)) || hasEvidence
      ? "next"
      : "later";
  return {
    balance: { total: balance.total, promo: balance.promo, paid: balance.paid },
    nextPromoExpiry: firstGrant ? { tokens: firstGrant.remaining, expiresAt: firstGrant.expiresAt } : null,
    claim,
    next: nextActionOf(claim, { emailVerified: account.emailVerified, activeKeys: usable.length, keyUsed: lastUsedAt !== null || (usage ?? []).some((day) => day.tokens > 0), balanceTotal: balance.total }),
    keys: {
      active: usable.length,
      lastUsedAt,
      newest: usable.slice(0, 3).map((key) => ({ id: key.id, name: key.name, visiblePrefix: key.visiblePrefix, lastFour: key.lastFour, lastUsedAt: key.lastUsedAt })),
    },
    usage,
    progress: { hasAcceptedEvidence: hasEvidence, claimStep, hasAnyKey: keys.length > 0, keyUsed: lastUsedAt !== null },
    policy: overview.policy,
  };
}
