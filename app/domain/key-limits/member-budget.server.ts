// The per-member budget of an organization's keys: tokens per UTC month that all the keys one
// member created for the organization may spend together. Read on the authorize path only for
// organization keys (an account's own keys never reach this); usage adds to the same per-key
// month counters the usage debit already writes, so the sum over the member's keys is the spend.
import type { DbExecutor } from "~/lib/db.server";
import type { LimitRefusal, Windows } from "./limits";

export interface MemberBudgetState {
  /** False once the member has left or been removed: their organization keys are refused. */
  member: boolean;
  budgetTokens: number | null;
  usedTokens: number;
}

/** What a member's organization keys have spent this month, and their budget. */
export async function memberBudgetState(db: DbExecutor, ledgerAccountId: string, memberId: string, windows: Windows): Promise<MemberBudgetState> {
  const row = await db
    .selectFrom("organization_members as m")
    .innerJoin("organizations as o", "o.id", "m.organization_id")
    .select([
      "m.monthly_token_budget",
      (eb) =>
        eb
          .selectFrom("api_keys as k")
          .innerJoin("api_key_counters as c", "c.key_id", "k.id")
          .select((inner) => inner.fn.sum<number>("c.month_tokens").as("s"))
          .where("k.user_id", "=", ledgerAccountId)
          .where("k.created_by", "=", memberId)
          .where("c.month_start", "=", windows.month)
          .as("used"),
    ])
    .where("o.ledger_account_id", "=", ledgerAccountId)
    .where("m.user_id", "=", memberId)
    .executeTakeFirst();
  if (!row) return { member: false, budgetTokens: null, usedTokens: 0 };
  return { member: true, budgetTokens: row.monthly_token_budget === null ? null : Number(row.monthly_token_budget), usedTokens: Number(row.used ?? 0) };
}

/** Null when the member may spend; a refusal when their month's budget is used up. */
export function memberBudgetRefusal(state: MemberBudgetState, windows: Windows): LimitRefusal | null {
  if (state.budgetTokens === null || state.usedTokens < state.budgetTokens) return null;
  return { code: "budget_exhausted", context: { budget: "member_monthly", budget_tokens: state.budgetTokens, used_tokens: state.usedTokens, resets_at: windows.monthResetAt } };
}
