// The rows every usage report updates — the account's balance, the promo grant it spends, the key's
// counters and the day's roll-up — are updated in place where the database can.
// 1. `api_key_counters_updated` (migration 0018) indexed the column each report sets; no query
//    reads by it. On PostgreSQL an update of an indexed column is never a heap-only (HOT) update:
//    every report wrote a new counter row version elsewhere plus an entry in both of its indexes.
//    On SQLite it was one more B-tree write per report.
// 2. PostgreSQL only: these four tables leave a third of each page free (fillfactor 70), so a new
//    row version fits on its page and is a HOT update (no index entry, and the old version is
//    pruned on the spot). With full pages every update moved the row to another page and added an
//    index entry, and the indexes grew with dead entries that later lookups had to step over.
//    The setting applies to pages written from now on; on an existing database,
//    `VACUUM FULL account_balances, ledger_promo_grants, api_key_counters, usage_daily` in a quiet
//    moment applies it to the rows already there (README, PostgreSQL).
import { sql, type Kysely } from "kysely";

const UPDATED_IN_PLACE = ["account_balances", "ledger_promo_grants", "api_key_counters", "usage_daily"] as const;

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes("postgres");
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("api_key_counters_updated").ifExists().execute();
  if (!isPostgres(db)) return;
  for (const table of UPDATED_IN_PLACE) await sql`alter table ${sql.table(table)} set (fillfactor = 70)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    for (const table of UPDATED_IN_PLACE) await sql`alter table ${sql.table(table)} reset (fillfactor)`.execute(db);
  }
  await db.schema.createIndex("api_key_counters_updated").on("api_key_counters").column("updated_at").execute();
}
