// The windowed counter row of a key, written by one statement each: the authorize path takes a
// request slot (atomic check-and-increment, correct with any number of app instances on one
// database), the usage debit adds tokens inside the debit's own transaction.
import type SQLite from "better-sqlite3";
import { sql, type CompiledQuery } from "kysely";
import { sqliteHandleOf, type DbExecutor } from "~/lib/db.server";
import { perDebit, type BatchWriter } from "../ledger/debit-hooks.server";
import type { Windows } from "./limits";

// A window that has moved on starts again; a clock behind another instance's never rewinds it.
const MINUTE_MOVED_SQL = "excluded.minute_start > api_key_counters.minute_start";
const DAY_MOVED_SQL = "excluded.day_start > api_key_counters.day_start";
const MONTH_MOVED_SQL = "excluded.month_start > api_key_counters.month_start";
const MINUTE_MOVED = sql.raw(MINUTE_MOVED_SQL);

/**
 * One request in the current minute if fewer than `limit` were counted: the conditional upsert
 * returns the row only when it counted the request, so two instances can never both take the last slot.
 */
export function requestSlotQuery(db: DbExecutor, keyId: string, limit: number, windows: Windows, now: string): CompiledQuery<{ minute_requests: number }> {
  return sql<{ minute_requests: number }>`
    insert into api_key_counters (key_id, minute_start, minute_requests, minute_tokens, day_start, day_tokens, month_start, month_tokens, created_at, updated_at)
    values (${keyId}, ${windows.minute}, 1, 0, ${windows.day}, 0, ${windows.month}, 0, ${now}, ${now})
    on conflict (key_id) do update set
      minute_requests = case when ${MINUTE_MOVED} then 1 else api_key_counters.minute_requests + 1 end,
      minute_tokens = case when ${MINUTE_MOVED} then 0 else api_key_counters.minute_tokens end,
      minute_start = case when ${MINUTE_MOVED} then excluded.minute_start else api_key_counters.minute_start end,
      updated_at = excluded.updated_at
    where ${MINUTE_MOVED} or api_key_counters.minute_requests < ${limit}
    returning minute_requests`.compile(db);
}

const USAGE_COUNT_UPDATE_SQL = `
      minute_tokens = case when ${MINUTE_MOVED_SQL} then excluded.minute_tokens else api_key_counters.minute_tokens + excluded.minute_tokens end,
      minute_requests = case when ${MINUTE_MOVED_SQL} then 0 else api_key_counters.minute_requests end,
      minute_start = case when ${MINUTE_MOVED_SQL} then excluded.minute_start else api_key_counters.minute_start end,
      day_tokens = case when ${DAY_MOVED_SQL} then excluded.day_tokens else api_key_counters.day_tokens + excluded.day_tokens end,
      day_start = case when ${DAY_MOVED_SQL} then excluded.day_start else api_key_counters.day_start end,
      month_tokens = case when ${MONTH_MOVED_SQL} then excluded.month_tokens else api_key_counters.month_tokens + excluded.month_tokens end,
      month_start = case when ${MONTH_MOVED_SQL} then excluded.month_start else api_key_counters.month_start end,
      updated_at = excluded.updated_at`;
const USAGE_COUNT_UPDATE = sql.raw(USAGE_COUNT_UPDATE_SQL);

// A PostgreSQL batch's counters, one row per key (sorted: concurrent batches lock them alike).
const USAGE_COUNT_CLAUSE = `insert into api_key_counters (key_id, minute_start, minute_requests, minute_tokens, day_start, day_tokens,
    month_start, month_tokens, created_at, updated_at)
  select c.key_id, c.minute_start, 0, sum(c.tokens)::bigint, c.day_start, sum(c.tokens)::bigint, c.month_start, sum(c.tokens)::bigint, max(c.counted_at), max(c.counted_at)
  from new_debits d
  join unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
    with ordinality as c(key_id, tokens, minute_start, day_start, month_start, counted_at, ord) on c.ord = d.ord
  where c.key_id is not null
  group by c.key_id, c.minute_start, c.day_start, c.month_start
  order by c.key_id
  on conflict (key_id) do update set ${USAGE_COUNT_UPDATE_SQL}`;

/** Adds a request's tokens to the key's minute, day and month: handed to the ledger's debit. */
export function usageCountQuery(db: DbExecutor, keyId: string, tokens: number, windows: Pick<Windows, "minute" | "day" | "month">, now: string): CompiledQuery {
  return sql`
    insert into api_key_counters (key_id, minute_start, minute_requests, minute_tokens, day_start, day_tokens, month_start, month_tokens, created_at, updated_at)
    values (${keyId}, ${windows.minute}, 0, ${tokens}, ${windows.day}, ${tokens}, ${windows.month}, ${tokens}, ${now}, ${now})
    on conflict (key_id) do update set ${USAGE_COUNT_UPDATE}`.compile(db);
}

/** A usage debit's tokens for its key's counters (`keyTokenCounter`'s item). */
export interface KeyTokens {
  keyId: string;
  tokens: number;
  windows: Pick<Windows, "minute" | "day" | "month">;
  now: string;
}

/**
 * The key counters as a batch writer for the ledger's group commit: a batch's tokens added with one
 * upsert per batch, one row per key (one statement may not update a row twice). A key's debits in
 * the same windows are summed (adding t1 then t2 is adding t1 + t2); when a batch spans a window
 * change, the later windows go in a following statement, oldest first, as one by one. Rows sorted
 * by key id, so that concurrent batches lock counter rows in the same order.
 */
export const keyTokenCounter: BatchWriter<KeyTokens> = {
  statements(db, items) {
    if (items.length === 1) {
      const item = items[0]!;
      return [usageCountQuery(db, item.keyId, item.tokens, item.windows, item.now)];
    }
    const byKey = new Map<string, KeyTokens[]>();
    for (const item of items) {
      const merged = byKey.get(item.keyId) ?? [];
      const same = merged.find((row) => row.windows.minute === item.windows.minute && row.windows.day === item.windows.day && row.windows.month === item.windows.month);
      if (same) {
        same.tokens += item.tokens;
        if (item.now > same.now) same.now = item.now;
      } else {
        merged.push({ keyId: item.keyId, tokens: item.tokens, windows: item.windows, now: item.now });
      }
      byKey.set(item.keyId, merged);
    }
    const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const rounds: KeyTokens[][] = [];
    for (const keyId of keys) {
      const rows = byKey.get(keyId)!.sort((a, b) => (a.windows.minute < b.windows.minute ? -1 : a.windows.minute > b.windows.minute ? 1 : 0));
      rows.forEach((row, round) => (rounds[round] ??= []).push(row));
    }
    return rounds.map((rows) => usageCountRowsQuery(db, rows));
  },
  postgresClause(items) {
    // A key whose debits span a window change needs its windows one after the other (`statements`).
    const windowsOf = new Map<string, string>();
    for (const item of items) {
      if (!item) continue;
      const windows = `${item.windows.minute} ${item.windows.day} ${item.windows.month}`;
      if ((windowsOf.get(item.keyId) ?? windows) !== windows) return null;
      windowsOf.set(item.keyId, windows);
    }
    const column = <V>(pick: (item: KeyTokens) => V) => perDebit(items, pick);
    return {
      clauses: [{ name: "key_counters_written", sql: USAGE_COUNT_CLAUSE }],
      parameters: [
        column((item) => item.keyId),
        column((item) => item.tokens),
        column((item) => item.windows.minute),
        column((item) => item.windows.day),
        column((item) => item.windows.month),
        column((item) => item.now),
      ],
    };
  },
};

function usageCountRowsQuery(db: DbExecutor, rows: readonly KeyTokens[]): CompiledQuery {
  const values = rows.map(
    (row) => sql`(${row.keyId}, ${row.windows.minute}, 0, ${row.tokens}, ${row.windows.day}, ${row.tokens}, ${row.windows.month}, ${row.tokens}, ${row.now}, ${row.now})`,
  );
  return sql`
    insert into api_key_counters (key_id, minute_start, minute_requests, minute_tokens, day_start, day_tokens, month_start, month_tokens, created_at, updated_at)
    values ${sql.join(values)}
    on conflict (key_id) do update set ${USAGE_COUNT_UPDATE}`.compile(db);
}

const prepared = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

/** A compiled statement as a better-sqlite3 prepared statement, prepared once per SQL text. */
export function preparedOn(raw: SQLite.Database, query: CompiledQuery): SQLite.Statement {
  let statements = prepared.get(raw);
  if (!statements) {
    statements = new Map();
    prepared.set(raw, statements);
  }
  let statement = statements.get(query.sql);
  if (!statement) {
    statement = raw.prepare(query.sql);
    statements.set(query.sql, statement);
  }
  return statement;
}

/** Takes a request slot; false = the minute's requests are used up. */
export async function takeRequestSlot(db: DbExecutor, keyId: string, limit: number, windows: Windows, now: string): Promise<boolean> {
  const query = requestSlotQuery(db, keyId, limit, windows, now);
  const raw = sqliteHandleOf(db);
  if (raw && !db.isTransaction) return queueSlot(db, raw, query);
  return (await db.executeQuery(query)).rows.length > 0;
}

interface PendingSlot {
  query: CompiledQuery;
  resolve: (taken: boolean) => void;
  reject: (error: unknown) => void;
}

const pendingSlots = new WeakMap<SQLite.Database, PendingSlot[]>();

// Group commit on SQLite: the slots asked for in one turn of the event loop are taken in one
// transaction (one WAL commit instead of one each), in arrival order, each with its own answer.
function queueSlot(db: DbExecutor, raw: SQLite.Database, query: CompiledQuery): Promise<boolean> {
  let queue = pendingSlots.get(raw);
  if (!queue) {
    queue = [];
    pendingSlots.set(raw, queue);
    setImmediate(() => flushSlots(db, raw));
  }
  const pending = queue;
  return new Promise((resolve, reject) => pending.push({ query, resolve, reject }));
}

function flushSlots(db: DbExecutor, raw: SQLite.Database): void {
  const queue = pendingSlots.get(raw) ?? [];
  pendingSlots.delete(raw);
  if (raw.inTransaction) {
    // A Kysely transaction holds the shared connection: queue behind it, one statement each.
    for (const item of queue) db.executeQuery(item.query).then((result) => item.resolve(result.rows.length > 0), item.reject);
    return;
  }
  try {
    const taken = raw.transaction(() => queue.map((item) => preparedOn(raw, item.query).get(...item.query.parameters) !== undefined))();
    queue.forEach((item, index) => item.resolve(taken[index]!));
  } catch (error) {
    for (const item of queue) item.reject(error);
  }
}

export interface KeyCounters {
  minuteRequests: number;
  minuteTokens: number;
  dayTokens: number;
  monthTokens: number;
}

/** What a key has used in the current windows (the key limits page). */
export async function readKeyCounters(db: DbExecutor, keyIds: string[], windows: Windows): Promise<Map<string, KeyCounters>> {
  const result = new Map<string, KeyCounters>();
  if (keyIds.length === 0) return result;
  const rows = await db.selectFrom("api_key_counters").selectAll().where("key_id", "in", keyIds).execute();
  for (const row of rows) {
    const sameMinute = row.minute_start === windows.minute;
    result.set(row.key_id, {
      minuteRequests: sameMinute ? Number(row.minute_requests) : 0,
      minuteTokens: sameMinute ? Number(row.minute_tokens) : 0,
      dayTokens: row.day_start === windows.day ? Number(row.day_tokens) : 0,
      monthTokens: row.month_start === windows.month ? Number(row.month_tokens) : 0,
    });
  }
  return result;
}
