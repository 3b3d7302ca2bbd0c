// The credit ledger: append-only entries, cached balances per account and per promo grant,
// and one record per debit operation (usage or reversal) so replays return the first result.
import { sql, type Kysely } from "kysely";

const APPEND_ONLY_TABLES = ["ledger_entries", "ledger_debits"] as const;

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes("postgres");
}

// On SQLite the tables keyed by text are WITHOUT ROWID: one B-tree per table instead of a rowid
// table plus a primary-key index, which halves the writes of the gateway's hot debit path.
function clustered(db: Kysely<any>) {
  return isPostgres(db) ? sql`` : sql`without rowid`;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("ledger_entries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("bucket", "text", (c) => c.notNull())
    .addColumn("amount", "bigint", (c) => c.notNull())
    .addColumn("idempotency_key", "text", (c) => c.notNull().unique())
    .addColumn("reference_type", "text", (c) => c.notNull())
    .addColumn("reference_id", "text", (c) => c.notNull())
    .addColumn("expires_at", "text")
    .addColumn("grant_entry_id", "text", (c) => c.references("ledger_entries.id"))
    .addColumn("note", "text")
    .addColumn("actor_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addCheckConstraint("ledger_entries_kind_check", sql`kind in ('grant', 'purchase', 'usage', 'expiry', 'adjustment')`)
    .addCheckConstraint("ledger_entries_bucket_check", sql`bucket in ('promo', 'paid')`)
    .addCheckConstraint(
      "ledger_entries_sign_check",
      sql`(kind in ('grant', 'purchase') and amount > 0) or (kind in ('usage', 'expiry') and amount < 0) or (kind = 'adjustment' and amount <> 0)`,
    )
    .modifyEnd(clustered(db))
    .execute();
  await db.schema
    .createIndex("ledger_entries_account_created_idx")
    .on("ledger_entries")
    .columns(["account_id", "created_at", "id"])
    .execute();
  // Usage entries are found by their idempotency key (`usage:<requestId>`), so they stay out of this one.
  await db.schema
    .createIndex("ledger_entries_reference_idx")
    .on("ledger_entries")
    .columns(["reference_type", "reference_id"])
    .where(sql.ref("kind"), "<>", "usage")
    .execute();

  // Cached balance: always equal to the sum of the account's entries per bucket (`npm run ledger:verify`).
  // `promo` includes promo grants that have passed their expiry but whose expiry entry is not posted yet.
  await db.schema
    .createTable("account_balances")
    .addColumn("account_id", "text", (c) => c.primaryKey().references("users.id"))
    .addColumn("promo", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("paid", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addCheckConstraint("account_balances_non_negative", sql`promo >= 0 and paid >= 0`)
    .modifyEnd(clustered(db))
    .execute();

  // What is left of each positive promo entry: amount + the entries that consumed it. The expiry
  // job sets closed_at once it has dealt with an expired grant (posted what was left, or nothing).
  await db.schema
    .createTable("ledger_promo_grants")
    .addColumn("grant_entry_id", "text", (c) => c.primaryKey().references("ledger_entries.id"))
    .addColumn("account_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("amount", "bigint", (c) => c.notNull())
    .addColumn("remaining", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("closed_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addCheckConstraint("ledger_promo_grants_remaining_range", sql`remaining >= 0 and remaining <= amount`)
    .modifyEnd(clustered(db))
    .execute();
  // Neither index mentions `remaining`, so a debit's update of it rewrites no index.
  await db.schema
    .createIndex("ledger_promo_grants_account_idx")
    .on("ledger_promo_grants")
    .columns(["account_id", "expires_at", "grant_entry_id"])
    .execute();
  await db.schema
    .createIndex("ledger_promo_grants_due_idx")
    .on("ledger_promo_grants")
    .columns(["expires_at", "grant_entry_id"])
    .where(sql.ref("closed_at"), "is", null)
    .execute();

  // One row per debit operation, keyed like its entries: what was asked, what was taken, what was short.
  await db.schema
    .createTable("ledger_debits")
    .addColumn("idempotency_key", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("bucket", "text")
    .addColumn("requested", "bigint", (c) => c.notNull())
    .addColumn("debited", "bigint", (c) => c.notNull())
    .addColumn("shortfall", "bigint", (c) => c.notNull())
    .addColumn("balance_after", "bigint", (c) => c.notNull())
    .addColumn("reference_type", "text", (c) => c.notNull())
    .addColumn("reference_id", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addCheckConstraint("ledger_debits_kind_check", sql`kind in ('usage', 'reversal')`)
    .addCheckConstraint("ledger_debits_sum_check", sql`debited >= 0 and shortfall >= 0 and debited + shortfall = requested`)
    .modifyEnd(clustered(db))
    .execute();

  // Append-only, enforced by the database itself: corrections are new entries.
  if (isPostgres(db)) {
    await sql`create function ledger_append_only() returns trigger language plpgsql as $$
      begin raise exception '% is append-only', tg_table_name; end $$`.execute(db);
    for (const table of APPEND_ONLY_TABLES) {
      await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
        for each row execute function ledger_append_only()`.execute(db);
    }
  } else {
    for (const table of APPEND_ONLY_TABLES) {
      for (const operation of ["update", "delete"] as const) {
        await sql`create trigger ${sql.id(`${table}_no_${operation}`)} before ${sql.raw(operation)} on ${sql.table(table)}
          begin select raise(abort, ${sql.lit(`${table} is append-only`)}); end`.execute(db);
      }
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["ledger_debits", "ledger_promo_grants", "account_balances", "ledger_entries"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  if (isPostgres(db)) await sql`drop function if exists ledger_append_only()`.execute(db);
}
