// The usage debit on SQLite: the gateway's hot path. Same rules (plan.ts) and same rows as the
// portable Kysely path, but prepared statements run synchronously, and the debits that arrive in
// the same turn of the event loop share one BEGIN IMMEDIATE … COMMIT (group commit). If any debit
// of a group fails, nothing of the group is written and its debits are committed one by one, so
// one failure fails only itself (as the PostgreSQL batch does). No savepoint per debit: each one
// copied every page its debit touched to the statement journal, about a quarter of a debit's
// time when debits are spread over many accounts. A caller's promise settles after the commit
// that holds its debit. Used on the app's root connection only, and only when no Kysely
// transaction is open on it (then the debit takes the portable path, queued behind that one).
import type SQLite from "better-sqlite3";
import type { CompiledQuery } from "kysely";
import { sqliteHandleOf, type DbExecutor } from "~/lib/db.server";
import type { DebitUsageResult } from "../ledger.server";
import { sqliteUsageWriter } from "../usage/record.server";
import { alongsideStatements, debitHookStatements, hasDebitHooks, type WrittenDebit } from "./debit-hooks.server";
import { newLedgerEntryId } from "./entry-id.server";
import { debitEntries, planDebit, type DebitOperation, type PromoSource, type StoredDebit } from "./plan";

export type FastDebitOutcome =
  | { kind: "done"; result: DebitUsageResult }
  | { kind: "replay"; existing: StoredDebit }
  /** The connection was busy with a Kysely transaction: use the portable path. */
  | { kind: "fallback" };

export interface SqliteFastPath {
  debit(operation: DebitOperation): Promise<FastDebitOutcome>;
}

/** Most debits one commit carries: bounds how long the write lock is held (~25 µs each). */
const MAX_GROUP = 256;

const DATABASE_TROUBLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CANTOPEN|CORRUPT|NOMEM|INTERRUPT)/;

/** Switch for tests and the benchmark, to run the portable path on SQLite too. */
export const ledgerFastPath = { enabled: true };

const paths = new WeakMap<SQLite.Database, SqliteFastPath>();

export function sqliteFastPathFor(db: DbExecutor): SqliteFastPath | null {
  if (!ledgerFastPath.enabled || db.isTransaction) return null;
  const raw = sqliteHandleOf(db);
  if (!raw || !raw.open) return null;
  let path = paths.get(raw);
  if (!path) {
    path = createFastPath(raw, db);
    paths.set(raw, path);
  }
  return path;
}

function createFastPath(raw: SQLite.Database, db: DbExecutor): SqliteFastPath {
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

  const writeUsage = sqliteUsageWriter(raw);
  // Callers' statements (alongside, debit hooks), prepared once per distinct SQL text (a hook's
  // multi-row insert has one text per row count, at most MAX_GROUP of them).
  const compiledStatements = new Map<string, SQLite.Statement>();
  function runCompiled(query: CompiledQuery) {
    let statement = compiledStatements.get(query.sql);
    if (!statement) {
      statement = raw.prepare(query.sql);
      compiledStatements.set(query.sql, statement);
    }
    statement.run(...(query.parameters as unknown[]));
  }

  // Inside the group's transaction: a debit's usage record and alongside statement commit or roll
  // back with the group.
  function debitOne(operation: DebitOperation): FastDebitOutcome {
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
    if (operation.usage) {
      writeUsage(operation.usage, { requestId: operation.referenceId, accountId: operation.accountId, at: operation.at, debited: plan.debited, shortfall: plan.shortfall });
    }
    if (operation.alongside) {
      if ("writer" in operation.alongside) for (const statement of alongsideStatements(db, [operation.alongside])) runCompiled(statement);
      else runCompiled(operation.alongside);
    }
    return { kind: "done", result: { debited: plan.debited, shortfall: plan.shortfall, balanceAfter, duplicate: false } };
  }

  function runHooks(operations: DebitOperation[], outcomes: FastDebitOutcome[]) {
    if (!hasDebitHooks()) return;
    const written: WrittenDebit[] = [];
    outcomes.forEach((outcome, index) => {
      if (outcome.kind !== "done") return;
      const operation = operations[index]!;
      const debit = outcome.result;
      written.push({
        accountId: operation.accountId,
        requestId: operation.referenceId,
        tokens: operation.requested,
        debited: debit.debited,
        shortfall: debit.shortfall,
        balanceAfter: debit.balanceAfter,
        at: operation.at,
        detail: operation.detail,
        usage: operation.usage,
      });
    });
    for (const query of debitHookStatements(db, written)) runCompiled(query);
  }

  const commitGroup = raw.transaction((operations: DebitOperation[]): FastDebitOutcome[] => {
    const outcomes = operations.map(debitOne);
    runHooks(operations, outcomes);
    return outcomes;
  });

  /** The group in one transaction; if that fails, each debit in one of its own (only a failing one fails). */
  function commitOrSplit(group: Waiting[]) {
    let outcomes: FastDebitOutcome[];
    try {
      outcomes = commitGroup.immediate(group.map((item) => item.operation));
    } catch (error) {
      // Nothing of the group was written. A busy or broken database fails the whole group at
      // once; anything else (one debit's write, a hook) is retried one debit at a time.
      if (group.length === 1 || DATABASE_TROUBLE.test(String((error as { code?: unknown }).code ?? ""))) {
        for (const item of group) item.reject(error);
        return;
      }
      for (const item of group) commitOrSplit([item]);
      return;
    }
    group.forEach((item, index) => item.resolve(outcomes[index]!));
  }

  interface Waiting {
    operation: DebitOperation;
    resolve: (outcome: FastDebitOutcome) => void;
    reject: (error: unknown) => void;
  }
  let waiting: Waiting[] = [];

  function flush() {
    const batch = waiting;
    waiting = [];
    for (let start = 0; start < batch.length; start += MAX_GROUP) {
      const group = batch.slice(start, start + MAX_GROUP);
      if (raw.inTransaction || !raw.open) {
        for (const item of group) item.resolve({ kind: "fallback" });
        continue;
      }
      commitOrSplit(group);
    }
  }

  return {
    debit(operation) {
      return new Promise<FastDebitOutcome>((resolve, reject) => {
        if (waiting.length === 0) setImmediate(flush);
        waiting.push({ operation, resolve, reject });
      });
    },
  };
}
