// The usage debit on PostgreSQL: group commit. Debits that arrive while earlier batches are being
// committed wait in a queue and go together in the next batch: one call of the SQL function
// `ledger_debit_usage_batch` (migration 0019, rewritten by 0023 and 0025), which locks, plans and
// writes every debit of the batch in order, in one round trip and one commit. The usage records,
// daily roll-up and key counters the new debits bring are written by the same statement (WITH clauses after the call);
// only a debit hook or a caller's plain statement needs a transaction around the call. Each debit
// keeps its own idempotency key and its own result. If the batch fails as a whole (an error no
// debit was expected to raise, a usage record, key counter or debit hook's write, a deadlock),
// nothing of it was written, and its debits are retried one by one, so a failing debit fails alone.
// A batch sorts its debits by account: every batch locks balance rows in the same order, so two
// batches (on this instance or another) wait for each other but never deadlock.
import { CompiledQuery } from "kysely";
import { executePrepared, type Db, type DbExecutor } from "~/lib/db.server";
import { newLedgerEntryId } from "./entry-id.server";
import { batchWriteStatements, combineStatements, hasBatchWrites, postgresBatchClauses, shiftParameters, type PostgresClause, type WrittenDebit } from "./debit-hooks.server";
import type { DebitOperation, StoredDebit } from "./plan";

export type BatchDebitOutcome =
  | { kind: "done"; debited: number; shortfall: number; balanceAfter: number }
  | { kind: "replay"; existing: StoredDebit }
  | { kind: "unknown_account" };

/**
 * Limits of the group commit, per instance. `maxBatch` bounds how long a batch holds its locks;
 * `maxInFlight` how many batches (connections) commit at once; `maxWaitMs` how long a debit may
 * wait for a free batch slot before one more batch is opened beyond `maxInFlight` (up to twice it).
 * `splitAt`: a queue of at least twice this many debits is shared among the free slots (at least
 * this many debits each), so that several batches commit side by side — the database works on
 * one while this process prepares the next — instead of one large batch at a time.
 */
export const postgresBatching = { maxBatch: 128, maxInFlight: 3, maxWaitMs: 2, splitAt: 32 };

/** A small string hash: an account's debits of one turn all go in the same batch (lock order, and one balance update). */
function accountSlot(accountId: string, slots: number): number {
  let hash = 2166136261;
  for (let i = 0; i < accountId.length; i += 1) hash = Math.imul(hash ^ accountId.charCodeAt(i), 16777619);
  return (hash >>> 0) % slots;
}

/** Counters for tests and the benchmark. */
export interface BatchStats {
  batches: number;
  debits: number;
  largestBatch: number;
  /** Batches that failed as a whole and were retried one debit at a time. */
  split: number;
}

const RETRYABLE = new Set(["23505", "40001", "40P01"]);
const ATTEMPTS = 3;
/** SQLSTATE classes one debit's data can cause (data exception, constraint, rollback, raise). */
const SPLIT_CLASSES = new Set(["22", "23", "40", "P0"]);

interface BatchRow {
  r_ord: number;
  r_outcome: "done" | "replay" | "unknown_account";
  r_debited: number | null;
  r_shortfall: number | null;
  r_balance_after: number | null;
  r_account_id: string | null;
  r_kind: "usage" | "reversal" | null;
  r_requested: number | null;
}

/**
 * Runs `operations` in one statement on `executor` (the pool, or a transaction the caller holds),
 * the new debits' usage records and batch writers' items included (never for a replay); debit
 * hooks' and plain `alongside` statements follow it in one transaction. Outcomes in the order given.
 */
export async function runDebitBatch(executor: DbExecutor, operations: readonly DebitOperation[]): Promise<BatchDebitOutcome[]> {
  const clauses = hasBatchWrites(operations) ? postgresBatchClauses(operations) : [];
  const withStatements = clauses === null;
  if (withStatements && !executor.isTransaction) return executor.transaction().execute((trx) => runDebitBatch(trx, operations));
  const { rows } = await executePrepared<BatchRow>(executor, batchStatement(operations, clauses ?? []));
  const outcomes = operations.map((_, index): BatchDebitOutcome => {
    const row = rows[index];
    if (!row || Number(row.r_ord) !== index + 1) throw new Error("ledger_debit_usage_batch answered out of order");
    if (row.r_outcome === "unknown_account") return { kind: "unknown_account" };
    if (row.r_outcome === "replay") {
      return {
        kind: "replay",
        existing: {
          account_id: row.r_account_id!,
          kind: row.r_kind!,
          bucket: null,
          requested: Number(row.r_requested),
          debited: Number(row.r_debited),
          shortfall: Number(row.r_shortfall),
          balance_after: Number(row.r_balance_after),
          reference_type: "",
          reference_id: "",
        },
      };
    }
    return { kind: "done", debited: Number(row.r_debited), shortfall: Number(row.r_shortfall), balanceAfter: Number(row.r_balance_after) };
  });
  if (withStatements) {
    const written: WrittenDebit[] = [];
    outcomes.forEach((outcome, index) => {
      if (outcome.kind !== "done") return;
      const operation = operations[index]!;
      written.push({
        accountId: operation.accountId,
        requestId: operation.referenceId,
        tokens: operation.requested,
        debited: outcome.debited,
        shortfall: outcome.shortfall,
        balanceAfter: outcome.balanceAfter,
        at: operation.at,
        detail: operation.detail,
        usage: operation.usage,
        alongside: operation.alongside,
      });
    });
    const { together, after } = batchWriteStatements(executor, written);
    if (together.length > 0) await executor.executeQuery(combineStatements(together));
    for (const statement of after) await executor.executeQuery(statement);
  }
  return outcomes;
}

const LEDGER_CALL = `select * from ledger_debit_usage_batch($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])`;

// The batch's own writes (usage records, key counters) read the debits it wrote now from here.
const NEW_DEBITS = `select b.r_ord as ord, a.account_id, a.request_id, a.debited_at, a.requested, b.r_debited as debited, b.r_shortfall as shortfall
  from ledger_batch b
  join unnest($2::text[], $5::text[], $6::text[], $3::bigint[]) with ordinality as a(account_id, request_id, debited_at, requested, ord) on a.ord = b.r_ord
  where b.r_outcome = 'done'`;

/** The SQL texts of a batch with these clauses, by the clauses' names (a handful of shapes). */
const statementTexts = new Map<string, string>();

/**
 * One statement: the ledger function's call and, as data-modifying WITH clauses on the same
 * snapshot, the writes the batch's new debits bring. Autocommit: it commits alone, in one round trip.
 */
function batchStatement(operations: readonly DebitOperation[], clauses: readonly PostgresClause[]): CompiledQuery<BatchRow> {
  const parameters: unknown[] = [
    operations.map((op) => op.key),
    operations.map((op) => op.accountId),
    operations.map((op) => op.requested),
    operations.map((op) => op.referenceType),
    operations.map((op) => op.referenceId),
    operations.map((op) => op.at),
    operations.map(() => newLedgerEntryId()),
  ];
  if (clauses.length === 0) return CompiledQuery.raw(LEDGER_CALL, parameters);
  const shape = clauses.map((clause) => clause.clauses.map((part) => part.name).join(",")).join(";");
  let text = statementTexts.get(shape);
  if (!text) {
    const parts = [`ledger_batch as materialized (${LEDGER_CALL})`, `new_debits as materialized (${NEW_DEBITS})`];
    let shift = parameters.length;
    for (const clause of clauses) {
      const offset = shift;
      for (const part of clause.clauses) parts.push(`${part.name} as (${shiftParameters(part.sql, offset)})`);
      shift += clause.parameters.length;
    }
    text = `with ${parts.join(",\n")}\nselect * from ledger_batch order by r_ord`;
    statementTexts.set(shape, text);
  }
  for (const clause of clauses) parameters.push(...clause.parameters);
  return CompiledQuery.raw(text, parameters);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** One debit alone, retried on a lost race (the retry answers as a replay) or a deadlock. */
async function runAlone(db: Db, operation: DebitOperation): Promise<BatchDebitOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return (await runDebitBatch(db, [operation]))[0]!;
    } catch (error) {
      if (attempt >= ATTEMPTS || !RETRYABLE.has(errorCode(error) ?? "")) throw error;
    }
  }
}

interface Waiting {
  operation: DebitOperation;
  since: number;
  resolve: (outcome: BatchDebitOutcome) => void;
  reject: (error: unknown) => void;
}

export interface PostgresDebitBatcher {
  debit(operation: DebitOperation): Promise<BatchDebitOutcome>;
  stats(): BatchStats;
  resetStats(): void;
}

const batchers = new WeakMap<Db, PostgresDebitBatcher>();

export function postgresBatcherFor(db: Db): PostgresDebitBatcher {
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = createBatcher(db);
    batchers.set(db, batcher);
  }
  return batcher;
}

function createBatcher(db: Db): PostgresDebitBatcher {
  let queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;
  let timer: NodeJS.Timeout | undefined;
  let stats: BatchStats = { batches: 0, debits: 0, largestBatch: 0, split: 0 };

  // Accounts with debits in a batch that is committing: their next debits wait for the next batch
  // rather than going in another one at once, which would only wait for the first's row lock.
  const busy = new Map<string, number>();
  const ready = (item: Waiting) => !busy.has(item.operation.accountId);

  /** `ready`: a debit just queued whose account is not busy (saves scanning a queue of a hot account's debits). */
  function schedule(readyKnown = false) {
    if (!readyKnown && !queue.some(ready)) return;
    if (inFlight < postgresBatching.maxInFlight) {
      // One turn of the event loop: the debits arriving together go in one batch.
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    } else if (!timer && inFlight < postgresBatching.maxInFlight * 2) {
      // Every slot is committing: the queue grows into the next batch, but no debit waits longer
      // than maxWaitMs for a slot while the pool has room for one more batch.
      const waited = Date.now() - queue.find(ready)!.since;
      timer = setTimeout(overdue, Math.max(0, postgresBatching.maxWaitMs - waited));
    }
  }

  function overdue() {
    timer = undefined;
    if (inFlight < postgresBatching.maxInFlight * 2) start();
    schedule();
  }

  function flush() {
    scheduled = false;
    const free = postgresBatching.maxInFlight - inFlight;
    const waiting = queue.filter(ready);
    const parts = Math.min(free, Math.floor(waiting.length / Math.max(postgresBatching.splitAt, 1)));
    if (parts >= 2) {
      // Shared among `parts` batches by account; a part that comes out empty (one hot account) is skipped.
      // A part is full at maxBatch: the rest stays queued (its account now waits for that batch).
      const batches: Waiting[][] = Array.from({ length: parts }, () => []);
      const rest: Waiting[] = [];
      for (const item of queue) {
        const batch = ready(item) ? batches[accountSlot(item.operation.accountId, parts)]! : null;
        if (batch && batch.length < postgresBatching.maxBatch) batch.push(item);
        else rest.push(item);
      }
      queue = rest;
      for (const batch of batches) if (batch.length > 0) launch(batch);
    }
    while (inFlight < postgresBatching.maxInFlight && start());
    schedule();
  }

  /** Starts a batch of the queue's ready debits, oldest first; false when there is none. */
  function start(): boolean {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const item of queue) {
      if (batch.length < postgresBatching.maxBatch && ready(item)) batch.push(item);
      else rest.push(item);
    }
    if (batch.length === 0) return false;
    queue = rest;
    launch(batch);
    return true;
  }

  function launch(batch: Waiting[]) {
    inFlight += 1;
    stats.batches += 1;
    stats.debits += batch.length;
    stats.largestBatch = Math.max(stats.largestBatch, batch.length);
    const accounts = [...new Set(batch.map((item) => item.operation.accountId))];
    for (const account of accounts) busy.set(account, (busy.get(account) ?? 0) + 1);
    void commit(batch).finally(() => {
      inFlight -= 1;
      for (const account of accounts) {
        const left = busy.get(account)! - 1;
        if (left === 0) busy.delete(account);
        else busy.set(account, left);
      }
      schedule();
    });
  }

  async function commit(batch: Waiting[]) {
    // Stable sort: one account's debits keep their order of arrival (a replay after its first).
    const ordered = [...batch].sort((a, b) => (a.operation.accountId < b.operation.accountId ? -1 : a.operation.accountId > b.operation.accountId ? 1 : 0));
    try {
      const outcomes = await runDebitBatch(db, ordered.map((item) => item.operation));
      ordered.forEach((item, index) => item.resolve(outcomes[index]!));
    } catch (error) {
      if (ordered.length === 1) {
        const item = ordered[0]!;
        if (RETRYABLE.has(errorCode(error) ?? "")) await runAlone(db, item.operation).then(item.resolve, item.reject);
        else item.reject(error);
        return;
      }
      // A lock or statement timeout, a lost connection: the database's trouble, not a debit's.
      // Every debit gets the error at once (the gateway answers 503 and retries), rather than
      // each waiting out the same timeout alone.
      if (!SPLIT_CLASSES.has((errorCode(error) ?? "").slice(0, 2))) {
        for (const item of ordered) item.reject(error);
        return;
      }
      // Nothing of the batch was written: each debit on its own, so only a failing one fails.
      stats.split += 1;
      await Promise.all(ordered.map((item) => runAlone(db, item.operation).then(item.resolve, item.reject)));
    }
  }

  return {
    debit(operation) {
      return new Promise<BatchDebitOutcome>((resolve, reject) => {
        const item = { operation, since: Date.now(), resolve, reject };
        queue.push(item);
        if (ready(item)) schedule(true);
      });
    },
    stats: () => ({ ...stats }),
    resetStats: () => {
      stats = { batches: 0, debits: 0, largestBatch: 0, split: 0 };
    },
  };
}
