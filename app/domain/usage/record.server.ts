// Writes one gateway request's usage record and adds it to the day's roll-up, inside the debit's
// own transaction (so a debit and its usage are committed together or not at all). Three executors
// of the same SQL: Kysely for the portable path, a prepared statement for the SQLite fast path,
// and multi-row statements for a PostgreSQL batch of debits.
import type SQLite from "better-sqlite3";
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type CompiledQuery, type InsertQueryBuilder, type InsertResult } from "kysely";
import type { Database, UsageDailyTable, UsageRecordsTable } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { perDebit, type PostgresClause } from "../ledger/debit-hooks.server";

/** What the gateway reported beyond the total: which key, which model, what kind of tokens. */
export interface UsageDetail {
  keyId: string;
  model: string;
  providerModel: string | null;
  inputTokens: number;
  /** Part of inputTokens served from the provider's prompt cache. */
  cachedInputTokens: number;
  outputTokens: number;
}

/** What the ledger decided for the request. */
export interface DebitFacts {
  requestId: string;
  accountId: string;
  /** ISO instant of the debit; its UTC day is the roll-up's day. */
  at: string;
  debited: number;
  shortfall: number;
}

export function usageRecordRow(detail: UsageDetail, facts: DebitFacts): UsageRecordsTable {
  return {
    request_id: facts.requestId,
    account_id: facts.accountId,
    key_id: detail.keyId,
    model: detail.model,
    provider_model: detail.providerModel,
    input_tokens: detail.inputTokens,
    cached_input_tokens: detail.cachedInputTokens,
    output_tokens: detail.outputTokens,
    debited_tokens: facts.debited,
    shortfall_tokens: facts.shortfall,
    created_at: facts.at,
  };
}

export function usageDailyRow(detail: UsageDetail, facts: DebitFacts): UsageDailyTable {
  return {
    account_id: facts.accountId,
    day: facts.at.slice(0, 10),
    key_id: detail.keyId,
    model: detail.model,
    requests: 1,
    input_tokens: detail.inputTokens,
    cached_input_tokens: detail.cachedInputTokens,
    output_tokens: detail.outputTokens,
    debited_tokens: facts.debited,
    shortfall_tokens: facts.shortfall,
    created_at: facts.at,
    updated_at: facts.at,
  };
}

const ADDED_UP = ["requests", "input_tokens", "cached_input_tokens", "output_tokens", "debited_tokens", "shortfall_tokens"] as const;

function insertRecord(db: Kysely<Database>, row: UsageRecordsTable | UsageRecordsTable[]): InsertQueryBuilder<Database, "usage_records", InsertResult> {
  return db.insertInto("usage_records").values(row);
}

function upsertDaily(db: Kysely<Database>, row: UsageDailyTable | UsageDailyTable[]): InsertQueryBuilder<Database, "usage_daily", InsertResult> {
  return db
    .insertInto("usage_daily")
    .values(row)
    .onConflict((conflict) =>
      conflict.columns(["account_id", "day", "key_id", "model"]).doUpdateSet((eb) => ({
        ...Object.fromEntries(ADDED_UP.map((column) => [column, eb(`usage_daily.${column}`, "+", eb.ref(`excluded.${column}`))])),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    );
}

/** The portable path: call with the debit's transaction. */
export async function writeUsageDetail(trx: DbExecutor, detail: UsageDetail, facts: DebitFacts): Promise<void> {
  await insertRecord(trx, usageRecordRow(detail, facts)).execute();
  await upsertDaily(trx, usageDailyRow(detail, facts)).execute();
}

/**
 * A batch of debits' usage in two statements, compiled with `db` for the caller to run in the
 * batch's transaction: the records in one insert, the roll-up in one upsert with one row per
 * (account, day, key, model) — one statement may not update a row twice — sorted, so that
 * concurrent batches lock roll-up rows in the same order.
 */
export function usageBatchStatements(db: DbExecutor, usages: ReadonlyArray<{ detail: UsageDetail; facts: DebitFacts }>): CompiledQuery[] {
  if (usages.length === 0) return [];
  const daily = new Map<string, UsageDailyTable>();
  for (const { detail, facts } of usages) {
    const row = usageDailyRow(detail, facts);
    const key = JSON.stringify([row.account_id, row.day, row.key_id, row.model]);
    const same = daily.get(key);
    if (!same) {
      daily.set(key, row);
      continue;
    }
    for (const column of ADDED_UP) same[column] += row[column];
    if (row.created_at < same.created_at) same.created_at = row.created_at;
    if (row.updated_at > same.updated_at) same.updated_at = row.updated_at;
  }
  const rows = [...daily.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  return [insertRecord(db, usages.map(({ detail, facts }) => usageRecordRow(detail, facts))).compile(), upsertDaily(db, rows).compile()];
}

const USAGE_ROWS = `select d.request_id, d.account_id, d.debited_at, d.debited, d.shortfall, u.key_id, u.model, u.provider_model,
    u.input_tokens, u.cached_input_tokens, u.output_tokens
  from new_debits d
  join unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
    with ordinality as u(key_id, model, provider_model, input_tokens, cached_input_tokens, output_tokens, ord) on u.ord = d.ord
  where u.key_id is not null`;

const USAGE_RECORDS = `insert into usage_records (request_id, account_id, key_id, model, provider_model, input_tokens,
    cached_input_tokens, output_tokens, debited_tokens, shortfall_tokens, created_at)
  select request_id, account_id, key_id, model, provider_model, input_tokens, cached_input_tokens, output_tokens, debited, shortfall, debited_at
  from usage_rows`;

// One roll-up row per (account, day, key, model), in that order: concurrent batches lock roll-up rows alike.
const USAGE_DAILY = `insert into usage_daily (account_id, day, key_id, model, ${ADDED_UP.join(", ")}, created_at, updated_at)
  select account_id, left(debited_at, 10), key_id, model, count(*), sum(input_tokens)::bigint, sum(cached_input_tokens)::bigint,
    sum(output_tokens)::bigint, sum(debited)::bigint, sum(shortfall)::bigint, min(debited_at), max(debited_at)
  from usage_rows
  group by account_id, left(debited_at, 10), key_id, model
  order by account_id, left(debited_at, 10), key_id, model
  on conflict (account_id, day, key_id, model) do update set
    ${ADDED_UP.map((column) => `${column} = usage_daily.${column} + excluded.${column}`).join(", ")}, updated_at = excluded.updated_at`;

/** A PostgreSQL batch's usage records and roll-up as clauses of its statement; `usages[i]` is the i-th debit's. */
export function usagePostgresClause(usages: ReadonlyArray<UsageDetail | undefined>): PostgresClause {
  const column = <V>(pick: (usage: UsageDetail) => V) => perDebit(usages, pick);
  return {
    clauses: [
      { name: "usage_rows", sql: USAGE_ROWS },
      { name: "usage_records_written", sql: USAGE_RECORDS },
      { name: "usage_daily_written", sql: USAGE_DAILY },
    ],
    parameters: [
      column((usage) => usage.keyId),
      column((usage) => usage.model),
      column((usage) => usage.providerModel),
      column((usage) => usage.inputTokens),
      column((usage) => usage.cachedInputTokens),
      column((usage) => usage.outputTokens),
    ],
  };
}

// Compiles the same queries to SQLite's SQL without a connection, for prepared statements.
const sqliteCompiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/**
 * The SQLite fast path's writer: synchronous, for use inside its savepoint. The statements' only
 * parameters are the row's values, in the row's key order (the upsert reads `excluded`).
 */
export function sqliteUsageWriter(raw: SQLite.Database): (detail: UsageDetail, facts: DebitFacts) => void {
  const sample: DebitFacts = { requestId: "", accountId: "", at: "", debited: 0, shortfall: 0 };
  const sampleDetail: UsageDetail = { keyId: "", model: "", providerModel: null, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 };
  const recordSql = insertRecord(sqliteCompiler, usageRecordRow(sampleDetail, sample)).compile();
  const dailySql = upsertDaily(sqliteCompiler, usageDailyRow(sampleDetail, sample)).compile();
  if (recordSql.parameters.length !== Object.keys(usageRecordRow(sampleDetail, sample)).length || dailySql.parameters.length !== Object.keys(usageDailyRow(sampleDetail, sample)).length) {
    throw new Error("usage statements: parameters are not the row's values");
  }
  const insert = raw.prepare(recordSql.sql);
  const upsert = raw.prepare(dailySql.sql);
  return (detail, facts) => {
    insert.run(...Object.values(usageRecordRow(detail, facts)));
    upsert.run(...Object.values(usageDailyRow(detail, facts)));
  };
}
