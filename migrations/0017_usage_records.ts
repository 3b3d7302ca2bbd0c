// Usage records (issue #15): one row per gateway request, kept for a configurable number of days,
// and a roll-up per (account, UTC day, key, model) written in the same transaction as the debit.
// Pages and charts read the roll-up; the raw rows answer request-id look-ups until they are purged.
import { sql, type Kysely } from "kysely";

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes("postgres");
}

// As in 0003: on SQLite a table keyed by text is one B-tree (WITHOUT ROWID), fewer writes per debit.
function clustered(db: Kysely<any>) {
  return isPostgres(db) ? sql`` : sql`without rowid`;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("usage_records")
    .addColumn("request_id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("key_id", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("provider_model", "text")
    .addColumn("input_tokens", "bigint", (c) => c.notNull())
    .addColumn("cached_input_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("output_tokens", "bigint", (c) => c.notNull())
    .addColumn("debited_tokens", "bigint", (c) => c.notNull())
    .addColumn("shortfall_tokens", "bigint", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .modifyEnd(clustered(db))
    .execute();
  await db.schema.createIndex("usage_records_account_created_idx").on("usage_records").columns(["account_id", "created_at"]).execute();
  // The purge deletes by age across all accounts.
  await db.schema.createIndex("usage_records_created_idx").on("usage_records").column("created_at").execute();

  await db.schema
    .createTable("usage_daily")
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("key_id", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("requests", "bigint", (c) => c.notNull())
    .addColumn("input_tokens", "bigint", (c) => c.notNull())
    .addColumn("cached_input_tokens", "bigint", (c) => c.notNull())
    .addColumn("output_tokens", "bigint", (c) => c.notNull())
    .addColumn("debited_tokens", "bigint", (c) => c.notNull())
    .addColumn("shortfall_tokens", "bigint", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("usage_daily_pk", ["account_id", "day", "key_id", "model"])
    .modifyEnd(clustered(db))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("usage_daily").ifExists().execute();
  await db.schema.dropTable("usage_records").ifExists().execute();
}
