// One Kysely instance for the app: better-sqlite3 by default, PostgreSQL when DATABASE_URL is postgres://.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from "kysely";
import pg from "pg";
import type { Database } from "./db-schema";
import { getEnv } from "./env.server";

export type Db = Kysely<Database>;
/** What a domain function that reads or writes takes: the database or an open transaction. */
export type DbExecutor = Kysely<Database> | Transaction<Database>;

// int8 and numeric arrive as strings from pg; every such column of ours holds a safe integer.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

export function isPostgresUrl(url: string) {
  return /^postgres(ql)?:\/\//i.test(url);
}

export function createDatabase(url: string): Db {
  if (isPostgresUrl(url)) {
    return new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) }),
    });
  }
  const file = url === ":memory:" ? url : resolve(url.replace(/^file:/, ""));
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  // Checkpoint every ~40 MB of WAL instead of 4 MB: with synchronous=NORMAL the checkpoint is
  // the only fsync, and at the default it stalls write-heavy paths (usage debits) several times more.
  sqlite.pragma("wal_autocheckpoint = 10000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  sqliteHandles.set(db, sqlite);
  return db;
}

const sqliteHandles = new WeakMap<DbExecutor, SQLite.Database>();

/** The better-sqlite3 handle under a database made by `createDatabase` (for prepared-statement hot paths). */
export function sqliteHandleOf(db: DbExecutor): SQLite.Database | undefined {
  return sqliteHandles.get(db);
}

let instance: Db | undefined;

export function getDb(): Db {
  instance ??= createDatabase(getEnv().DATABASE_URL);
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
