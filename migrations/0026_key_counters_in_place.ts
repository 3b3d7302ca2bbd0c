// `api_key_counters_updated` (migration 0018) indexed the column every usage report sets, and no
// query reads by it. On PostgreSQL an update that changes an indexed column is never a heap-only
// (HOT) update: every report wrote its key's counter row anew elsewhere in the table plus an entry
// in both of its indexes, and the indexes grew with dead entries that later look-ups stepped over.
// Without it the counters are updated in place like the balance, the promo grant and the day's
// roll-up. On SQLite it was one more B-tree write per report.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("api_key_counters_updated").ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("api_key_counters_updated").on("api_key_counters").column("updated_at").execute();
}
