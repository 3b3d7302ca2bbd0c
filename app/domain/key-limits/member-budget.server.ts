// The per-member budget of an organization's keys: tokens per UTC month that all the keys one
// member created for the organization may spend together. Read on the authorize path only for
// organization keys (an account's own keys never reach this); usage adds to the same per-key
// month counters the usage debit already writes, so the sum over the member's keys is the spend.
import type { CompiledQuery } from "kysely";
import { sqliteHandleOf, type DbExecutor } from "~/lib/db.server";
import { preparedOn } from "./counters.server";
import type { LimitRefusal, Windows } from "./limits";

export interface MemberBudgetState {
  /** False once the member has left or been removed: their organization keys are refused. */
  member: boolean;
  budgetTokens: number | null;
  usedTokens: number;
}

interface BudgetRow {
  monthly_token_budget: number | null;
  used: number | null;
}

const LEDGER_SLOT = "\u0000ledger";
const MEMBER_SLOT = "\u0000member";
const MONTH_SLOT = "\u0000month";

function compileBudgetQuery(db: DbExecutor): CompiledQuery<BudgetRow> {
  return db
    .selectFrom("organization_members as m")
    .innerJoin("organizations as o", "o.id", "m.organization_id")
    .select([
      "m.monthly_token_budget",
      (eb) =>
        eb
          .selectFrom("api_keys as k")
          .innerJoin("api_key_counters as c", "c.key_id", "k.id")
          .select((inner) => inner.fn.sum<number>("c.month_tokens").as("s"))
          .where("k.user_id", "=", LEDGER_SLOT)
          .where("k.created_by", "=", MEMBER_SLOT)
          .where("c.month_start", "=", MONTH_SLOT)
          .as("used"),
    ])
    .where("o.ledger_account_id", "=", LEDGER_SLOT)
    .where("m.user_id", "=", MEMBER_SLOT)
    .compile() as CompiledQuery<BudgetRow>;
}

// Compiled once per database and re-run with new parameters; on SQLite a prepared statement, as
// the gateway's own key query is (one indexed read on the authorize path of organization keys).
const compiledFor = new WeakMap<DbExecutor, CompiledQuery<BudgetRow>>();

/** What a member's organization keys have spent this month, and their budget. */
export async function memberBudgetState(db: DbExecutor, ledgerAccountId: string, memberId: string, windows: Windows): Promise<MemberBudgetState> {
  let query = compiledFor.get(db);
  if (!query) {
    query = compileBudgetQuery(db);
    compiledFor.set(db, query);
  }
  const slots: Record<string, string> = { [LEDGER_SLOT]: ledgerAccountId, [MEMBER_SLOT]: memberId, [MONTH_SLOT]: windows.month };
  const parameters = query.parameters.map((value) => (typeof value === "string" && value in slots ? slots[value] : value));
  const raw = sqliteHandleOf(db);
  const row =
    raw && !raw.inTransaction
      ? (preparedOn(raw, query).get(...parameters) as BudgetRow | undefined)
      : (await db.executeQuery<BudgetRow>({ ...query, parameters })).rows[0];
  if (!row) return { member: false, budgetTokens: null, usedTokens: 0 };
  return { member: true, budgetTokens: row.monthly_token_budget === null ? null : Number(row.monthly_token_budget), usedTokens: Number(row.used ?? 0) };
}

/** Null when the member may spend; a refusal when their month's budget is used up. */
export function memberBudgetRefusal(state: MemberBudgetState, windows: Windows): LimitRefusal | null {
  if (state.budgetTokens === null || state.usedTokens < state.budgetTokens) return null;
  return { code: "budget_exhausted", context: { budget: "member_monthly", budget_tokens: state.budgetTokens, used_tokens: state.usedTokens, resets_at: windows.monthResetAt } };
}
