// Writes that must commit with a usage debit, registered by the modules that own them. (The
// gateway's own — usage record, daily roll-up, key counters — come with the debit as `usage` and
// `alongside`; a PostgreSQL batch runs them through `batchWriteStatements` below.) A hook is called once per group commit with the debits
// written in it (never replays) and returns the statements to run in the same transaction, as
// compiled Kysely queries: one definition runs on PostgreSQL (after the batch's debit statement)
// and on SQLite (prepared statements inside the group's BEGIN IMMEDIATE). A multi-row insert per
// batch costs one statement however many debits the batch holds.
import { CompiledQuery } from "kysely";
import type { DbExecutor } from "~/lib/db.server";
import { usageBatchStatements, usagePostgresClause, type UsageDetail } from "../usage/record.server";

export interface WrittenDebit {
  accountId: string;
  requestId: string;
  /** What the request used (asked for). */
  tokens: number;
  debited: number;
  shortfall: number;
  balanceAfter: number;
  /** The debit's instant (ISO-8601 UTC). */
  at: string;
  /** What the caller passed as `detail` to debitUsage (key, model, token split…), untouched. */
  detail: Readonly<Record<string, unknown>> | undefined;
  /** The usage record the caller passed with the debit (debitUsage's `usage`). */
  usage?: UsageDetail;
  /** The caller's own write for this debit (debitUsage's `alongside`: key counters). */
  alongside?: Alongside;
}

/**
 * A write a debit brings along that a batch merges with the same writer's writes of its other
 * debits: `statements` gets every item of the batch (one debit's alone on the other paths) and
 * returns the statements writing them all — for the key counters, one upsert per batch instead of
 * one per debit.
 */
export interface BatchWriter<T> {
  statements(db: DbExecutor, items: readonly T[]): CompiledQuery[];
  /**
   * PostgreSQL: the same writes as clauses of the batch's own statement (see `PostgresClause`);
   * `items[i]` belongs to the batch's i-th debit (undefined: that debit brings none). Null when
   * these items cannot be written by one statement (then the batch runs `statements` in a transaction).
   */
  postgresClause?(items: ReadonlyArray<T | undefined>): PostgresClause | null;
}

/**
 * Writes that run inside a PostgreSQL debit batch's own statement, so that a batch is one round
 * trip and commits alone: data-modifying WITH clauses, in order, each `name as (sql)`, that read
 * the relation `new_debits` (ord, account_id, request_id, debited_at, requested, debited, shortfall: one
 * row per debit of the batch that was written now, never a replay; ord counts the batch's debits
 * from 1) and may read the clauses before them. Parameters are numbered from $1 in each clause's
 * `parameters`; names start with the writer's own prefix. Fixed texts: PostgreSQL parses the same
 * statement for every batch.
 */
export interface PostgresClause {
  clauses: ReadonlyArray<{ name: string; sql: string }>;
  parameters: readonly unknown[];
}

/** A clause's array parameter: one value per debit of the batch, null for a debit that brings none. */
export function perDebit<T, V>(items: ReadonlyArray<T | undefined>, pick: (item: T) => V): Array<V | null> {
  return items.map((item) => (item === undefined ? null : pick(item)));
}

/** `sql` with its parameters $1, $2… renumbered to follow `offset` others in one statement. */
export function shiftParameters(sql: string, offset: number): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

export interface BatchedWrite<T = never> {
  writer: BatchWriter<T>;
  item: T;
}

/** debitUsage's `alongside`: one compiled statement, or an item for a batch writer. */
export type Alongside = CompiledQuery | BatchedWrite<any>;

function isBatched(alongside: Alongside): alongside is BatchedWrite<any> {
  return "writer" in alongside;
}

/** The statements of `alongside` writes, batched writers' items merged per writer (in first-seen order). */
export function alongsideStatements(db: DbExecutor, writes: readonly Alongside[]): CompiledQuery[] {
  const { single, other } = alongsideParts(db, writes);
  return [...single, ...other];
}

/**
 * `single`: one statement per batch writer that needed only one (one row per key: it may share a
 * statement with other tables' writes); `other`: the rest, in order (plain statements, writers'
 * statements when a batch spans windows).
 */
function alongsideParts(db: DbExecutor, writes: readonly Alongside[]): { single: CompiledQuery[]; other: CompiledQuery[] } {
  const single: CompiledQuery[] = [];
  const other: CompiledQuery[] = [];
  const byWriter = new Map<BatchWriter<unknown>, unknown[]>();
  for (const write of writes) {
    if (!isBatched(write)) {
      other.push(write);
      continue;
    }
    const items = byWriter.get(write.writer);
    if (items) items.push(write.item);
    else byWriter.set(write.writer, [write.item]);
  }
  for (const [writer, items] of byWriter) {
    const statements = writer.statements(db, items);
    if (statements.length === 1) single.push(statements[0]!);
    else other.push(...statements);
  }
  return { single, other };
}

export interface DebitHook {
  /** One hook per name: registering the same name again replaces it. */
  name: string;
  /**
   * The statements to run for these debits, compiled with `db` (use it to build queries only;
   * the ledger executes them in the debit's transaction). If one fails, the batch is rolled back
   * and its debits are retried one by one, so only the debit whose writes fail is refused.
   */
  statements(db: DbExecutor, debits: readonly WrittenDebit[]): CompiledQuery[];
}

const hooks = new Map<string, DebitHook>();

/** Adds a hook; returns its removal (for tests). */
export function registerDebitHook(hook: DebitHook): () => void {
  hooks.set(hook.name, hook);
  return () => {
    if (hooks.get(hook.name) === hook) hooks.delete(hook.name);
  };
}

export function hasDebitHooks(): boolean {
  return hooks.size > 0;
}

export function debitHookStatements(db: DbExecutor, debits: readonly WrittenDebit[]): CompiledQuery[] {
  if (debits.length === 0 || hooks.size === 0) return [];
  return [...hooks.values()].flatMap((hook) => hook.statements(db, debits));
}

/**
 * Every statement a PostgreSQL batch of new debits runs besides the ledger's. `together`: the usage
 * records, the daily roll-up and the batch writers' single statements — each on a table of its
 * own, with at most one row per key, so they can run as one statement (`combineStatements`);
 * `after`: the rest (callers' plain statements, then the debit hooks'), one by one, in order.
 * The SQLite fast path and the portable path write a debit's own writes per debit instead,
 * inside its savepoint or transaction.
 */
export function batchWriteStatements(db: DbExecutor, debits: readonly WrittenDebit[]): { together: CompiledQuery[]; after: CompiledQuery[] } {
  if (debits.length === 0) return { together: [], after: [] };
  const usage = usageBatchStatements(
    db,
    debits.flatMap((debit) => (debit.usage ? [{ detail: debit.usage, facts: debit }] : [])),
  );
  const { single, other } = alongsideParts(
    db,
    debits.flatMap((debit) => (debit.alongside ? [debit.alongside] : [])),
  );
  return { together: [...usage, ...single], after: [...other, ...debitHookStatements(db, debits)] };
}

/**
 * The clauses writing what these debits bring (usage records, batch writers' items) inside the
 * batch's statement; null when something cannot be written that way (a debit hook, a plain
 * statement, a writer without clauses or refusing these items).
 */
export function postgresBatchClauses(debits: ReadonlyArray<{ usage?: UsageDetail; alongside?: Alongside }>): PostgresClause[] | null {
  if (hasDebitHooks()) return null;
  const clauses: PostgresClause[] = [];
  if (debits.some((debit) => debit.usage !== undefined)) clauses.push(usagePostgresClause(debits.map((debit) => debit.usage)));
  const writers = new Set<BatchWriter<unknown>>();
  for (const { alongside } of debits) {
    if (alongside === undefined) continue;
    if (!isBatched(alongside)) return null;
    writers.add(alongside.writer);
  }
  for (const writer of writers) {
    const items = debits.map(({ alongside }) => (alongside && isBatched(alongside) && alongside.writer === writer ? alongside.item : undefined));
    const clause = writer.postgresClause?.(items) ?? null;
    if (!clause) return null;
    clauses.push(clause);
  }
  return clauses;
}

/** Whether a batch of these debits writes anything beyond the ledger. */
export function hasBatchWrites(debits: ReadonlyArray<{ usage?: unknown; alongside?: unknown }>): boolean {
  return hasDebitHooks() || debits.some((debit) => debit.usage !== undefined || debit.alongside !== undefined);
}

/**
 * PostgreSQL: statements on different tables as one (data-modifying WITH clauses, parameters
 * renumbered): one round trip instead of one each, while the batch holds its balance row locks.
 * They run on one snapshot, so none may read what another writes, nor write the same row.
 */
export function combineStatements(statements: readonly CompiledQuery[]): CompiledQuery {
  if (statements.length === 1) return statements[0]!;
  const parameters: unknown[] = [];
  const clauses = statements.map((statement, index) => {
    const shift = parameters.length;
    parameters.push(...statement.parameters);
    return `w${index} as (${shiftParameters(statement.sql, shift)})`;
  });
  return CompiledQuery.raw(`with ${clauses.join(", ")} select ${statements.length} as statements`, parameters);
}
