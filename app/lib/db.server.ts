// One Kysely instance for the app: better-sqlite3 by default, PostgreSQL when DATABASE_URL is postgres://.
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery, type SqliteDatabase, type Transaction } from "kysely";
import pg from "pg";
import type { Database } from "./db-schema";
import { getEnv } from "./env.server";
import { errorFields, log } from "./logger.server";

export type Db = Kysely<Database>;
/** What a domain function that reads or writes takes: the database or an open transaction. */
export type DbExecutor = Kysely<Database> | Transaction<Database>;

// int8 and numeric arrive as strings from pg; every such column of ours holds a safe integer.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

export function isPostgresUrl(url: string) {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Time limits on database work: a held lock or a slow statement becomes a fast error (503), not a hang. */
export interface DatabaseLimits {
  poolMax: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  sqliteBusyTimeoutMs: number;
  /** PostgreSQL: whether `executePrepared` may use server-side prepared statements. */
  preparedStatements: boolean;
}

export const DEFAULT_DATABASE_LIMITS: DatabaseLimits = {
  poolMax: 10,
  statementTimeoutMs: 15_000,
  lockTimeoutMs: 3_000,
  connectTimeoutMs: 5_000,
  idleInTransactionTimeoutMs: 30_000,
  // Tools and tests may wait; the server passes SQLITE_BUSY_TIMEOUT_MS (short: better-sqlite3's
  // busy wait is synchronous, and while it waits no other request is answered).
  sqliteBusyTimeoutMs: 5_000,
  preparedStatements: true,
};

function createPostgresPool(url: string, limits: DatabaseLimits): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: limits.poolMax,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    lock_timeout: limits.lockTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
  });
  // Without these listeners a terminated backend ('error' on an idle or checked-out client)
  // is an unhandled 'error' event and takes the whole process down. The pool drops the broken
  // client itself; the next query opens a fresh connection.
  pool.on("error", (error) => log.warn({ ...errorFields(error) }, "database connection lost (idle client)"));
  pool.on("connect", (client) => {
    client.on("error", (error) => log.warn({ ...errorFields(error) }, "database connection lost"));
  });
  return pool;
}

export function createDatabase(url: string, limits: DatabaseLimits = DEFAULT_DATABASE_LIMITS): Db {
  if (isPostgresUrl(url)) {
    const pool = createPostgresPool(url, limits);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    postgresPools.set(db, pool);
    if (limits.preparedStatements) preparingPools.add(pool);
    return db;
  }
  const file = url === ":memory:" ? url : resolve(url.replace(/^file:/, ""));
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file, { timeout: limits.sqliteBusyTimeoutMs });
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${Math.trunc(limits.sqliteBusyTimeoutMs)}`);
  sqlite.pragma("synchronous = NORMAL");
  // Checkpoint every ~40 MB of WAL instead of 4 MB: with synchronous=NORMAL the checkpoint is
  // the only fsync, and at the default it stalls write-heavy paths (usage debits) several times more.
  sqlite.pragma("wal_autocheckpoint = 10000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(sqlite) }) });
  sqliteHandles.set(db, sqlite);
  return db;
}

/** Distinct statements kept prepared per SQLite database (Kysely's SQL texts are few; `in (…)` lists vary). */
export const PREPARED_STATEMENTS_KEPT = 500;

/**
 * Kysely prepares every query afresh; a page runs the same dozen SQL texts each time, so each
 * text's prepared statement is kept (least recently used dropped past PREPARED_STATEMENTS_KEPT).
 * A statement still being iterated (a streamed query) is not handed out twice: that one gets a
 * fresh statement. SQLite re-prepares a kept statement by itself after a schema change.
 */
function reusingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const kept = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const statement = kept.get(sql);
      if (statement && !statement.busy) {
        kept.delete(sql); // re-inserted: the most recently used last
        kept.set(sql, statement);
        return statement;
      }
      const fresh = sqlite.prepare(sql);
      if (!statement) {
        kept.set(sql, fresh);
        if (kept.size > PREPARED_STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
      }
      return fresh;
    },
  };
}

const postgresPools = new WeakMap<Db, pg.Pool>();
const preparingPools = new WeakSet<pg.Pool>();
const preparedNames = new Map<string, string>();

/**
 * Runs a hot statement of fixed text as a server-side prepared statement on PostgreSQL (parsed and
 * planned once per connection, named after its text) when the database allows it
 * (DB_PREPARED_STATEMENTS); otherwise, in a transaction and on SQLite, as any other query.
 */
export async function executePrepared<Row>(db: DbExecutor, query: CompiledQuery<Row>): Promise<{ rows: Row[] }> {
  const pool = db.isTransaction ? undefined : postgresPools.get(db as Db);
  if (!pool || !preparingPools.has(pool)) return db.executeQuery(query);
  let name = preparedNames.get(query.sql);
  if (!name) {
    name = `ferry_${createHash("sha256").update(query.sql).digest("hex").slice(0, 24)}`;
    preparedNames.set(query.sql, name);
  }
  const result = await pool.query<Row & pg.QueryResultRow>({ name, text: query.sql, values: query.parameters as unknown[] });
  return { rows: result.rows };
}

/** Connections in use, idle and waited for (PostgreSQL); null on SQLite (one connection). */
export function poolUsageOf(db: Db): { total: number; idle: number; waiting: number } | null {
  const pool = postgresPools.get(db);
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
}

const sqliteHandles = new WeakMap<DbExecutor, SQLite.Database>();

/** The better-sqlite3 handle under a database made by `createDatabase` (for prepared-statement hot paths). */
export function sqliteHandleOf(db: DbExecutor): SQLite.Database | undefined {
  return sqliteHandles.get(db);
}

let instance: Db | undefined;

export function databaseLimitsFromEnv(): DatabaseLimits {
  const env = getEnv();
  return {
    poolMax: env.DB_POOL_MAX,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: env.DB_LOCK_TIMEOUT_MS,
    connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    sqliteBusyTimeoutMs: env.SQLITE_BUSY_TIMEOUT_MS,
    preparedStatements: env.DB_PREPARED_STATEMENTS === "on",
  };
}

export function getDb(): Db {
  instance ??= createDatabase(getEnv().DATABASE_URL, databaseLimitsFromEnv());
  return instance;
}

export function dialectOf(db: DbExecutor): "postgres" | "sqlite" {
  const adapter = db.getExecutor().adapter;
  return adapter.constructor.name.toLowerCase().includes("postgres") ? "postgres" : "sqlite";
}

export async function closeDb() {
  await instance?.destroy();
  instance = undefined;
}
