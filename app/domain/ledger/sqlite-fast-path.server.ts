// The usage debit on SQLite as one synchronous BEGIN IMMEDIATE transaction of prepared statements:
// the gateway's hot path. Same rules (plan.ts) and same rows as the portable Kysely path; it only
// skips Kysely's per-query compile and async hops. Used on the app's root connection only, and
// only when no Kysely transaction is open on it (then the portable path queues behind it).
import type SQLite from "better-sqlite3";
import { sqliteHandleOf, type DbExecutor } from "~/lib/db.server";
import type { DebitUsageResult } from "../ledger.server";
import { newLedgerEntryId } from "./entry-id.server";
import { debitEntries, planDebit, type DebitOperation, type PromoSource, type StoredDebit } from "./plan";

export type FastDebitOutcome = { kind: "done"; result: DebitUsageResult } | { kind: "replay"; existing: StoredDebit };

export interface SqliteFastPath {
  debit(operation: DebitOperation): FastDebitOutcome;
}

/** Switch for tests and the benchmark, to run the portable path on SQLite too. */
export const ledgerFastPath = { enabled: true };

const paths = new WeakMap<SQLite.Database, SqliteFastPath>();

export function sqliteFastPathFor(db: DbExecutor): SqliteFastPath | null {
  if (!ledgerFastPath.enabled || db.isTransaction) return null;
  const raw = sqliteHandleOf(db);
  if (!raw || raw.inTransaction || !raw.open) return null;
  let path = paths.get(raw);
  if (!path) {
    path = createFastPath(raw);
    paths.set(raw, path);
  }
  return path;
}

function createFastPath(raw: SQLite.Database): SqliteFastPath {
  const selectBalance = raw.prepare<[string], { promo: number; paid: number }>(
    "select promo, paid from account_balances where account_id = ?",
  );
  const selectDebit = raw.prepare<[string], StoredDebit>(
    `select account_id, kind, bucket, requested, debited, shortfall, balance_after, reference_type, reference_id
       from ledger_debits where idempotency_key = ?`,
  );
  const selectGrants = raw.prepare<[string, string], { grantEntryId: string; remaining: number }>(
    `select grant_entry_id as grantEntryId, remaining from ledger_promo_grants
      where account_id = ? and remaining > 0 and expires_at > ?
      order by expires_at, grant_entry_id`,
  );
  const consumeGrant = raw.prepare<[number, string, string]>(
    "update ledger_promo_grants set remaining = remaining - ?, updated_at = ? where grant_entry_id = ?",
  );
  const insertEntry = raw.prepare(
    `insert into ledger_entries (id, account_id, kind, bucket, amount, idempotency_key, reference_type, reference_id,
       expires_at, grant_entry_id, note, actor_id, created_at)
     values (@id, @account_id, @kind, @bucket, @amount, @idempotency_key, @reference_type, @reference_id,
       @expires_at, @grant_entry_id, @note, @actor_id, @created_at)`,
  );
  const updateBalance = raw.prepare<[number, number, string, string]>(
    "update account_balances set promo = promo - ?, paid = paid - ?, updated_at = ? where account_id = ?",
  );
  const insertDebit = raw.prepare(
    `insert into ledger_debits (idempotency_key, account_id, kind, bucket, requested, debited, shortfall, balance_after,
       reference_type, reference_id, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  const debitTransaction = raw.transaction((operation: DebitOperation): FastDebitOutcome => {
    const existing = selectDebit.get(operation.key);
    if (existing) return { kind: "replay", existing };
    const balance = selectBalance.get(operation.accountId) ?? { promo: 0, paid: 0 };
    const sources: PromoSource[] = balance.promo > 0 ? selectGrants.all(operation.accountId, operation.at) : [];
    const plan = planDebit(sources, balance.paid, operation.requested);
    let usablePromo = 0;
    for (const source of sources) usablePromo += source.remaining;
    const balanceAfter = usablePromo + balance.paid - plan.debited;

    for (const entry of debitEntries(operation, plan, newLedgerEntryId)) insertEntry.run(entry);
    for (const part of plan.promo) consumeGrant.run(part.tokens, operation.at, part.grantEntryId);
    if (plan.debited > 0) updateBalance.run(plan.debited - plan.paid, plan.paid, operation.at, operation.accountId);
    insertDebit.run(
      operation.key,
      operation.accountId,
      operation.kind,
      operation.bucket,
      operation.requested,
      plan.debited,
      plan.shortfall,
      balanceAfter,
      operation.referenceType,
      operation.referenceId,
      operation.at,
    );
    return { kind: "done", result: { debited: plan.debited, shortfall: plan.shortfall, balanceAfter, duplicate: false } };
  });

  return { debit: (operation) => debitTransaction.immediate(operation) };
}
