// PostgreSQL: a usage debit costs about a third less of the database's CPU (measured with
// `npm run bench:ledger`, spread over 10,000 accounts: ~147 → ~94 µs per debit).
// 1. The foreign keys from the two append-only tables to `users`, and from a usage entry to the
//    grant it spends, are dropped. Each one was checked on every insert with a lookup that also
//    took a share lock on the referenced row (a write to that row's page and to the WAL): three per
//    debit, a fifth of the batch function's time. What they guaranteed still holds, by other means:
//    every ledger write first locks the account's balance row, and that row's own foreign key to
//    `users` stays (so an account with entries can never be deleted); a usage entry spends only a
//    grant read from `ledger_promo_grants`, whose key still references its entry; and
//    `verifyLedger` (`npm run ledger:verify`) reports any entry without a balance row and any
//    consumed grant that does not exist.
// 2. The batch function never scans a whole table: its statements look up a batch's accounts,
//    keys and grants by index, but on a small or freshly grown table the planner's statistics
//    sometimes made a sequential scan of every promo grant look cheaper (seen on one batch in
//    fifteen, each then costing milliseconds instead of microseconds).
// 3. The batch function plans its statements once per connection (generic plans) instead of on
//    every call: with the arrays as parameters, a custom plan was made for each of its statements
//    on each call, most of the cost of a small batch (the gateway's, a few debits each).
// SQLite is unchanged: it cannot drop a constraint without rebuilding the table, and its checks
// are a lookup in a cached page without any lock.
import { sql, type Kysely } from "kysely";

const BATCH_FUNCTION = sql.raw("ledger_debit_usage_batch(text[], text[], bigint[], text[], text[], text[], text[])");
const DROPPED = [
  { table: "ledger_entries", name: "ledger_entries_account_id_fkey", definition: "foreign key (account_id) references users (id)" },
  { table: "ledger_entries", name: "ledger_entries_grant_entry_id_fkey", definition: "foreign key (grant_entry_id) references ledger_entries (id)" },
  { table: "ledger_debits", name: "ledger_debits_account_id_fkey", definition: "foreign key (account_id) references users (id)" },
] as const;

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes("postgres");
}

export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const { table, name } of DROPPED) {
    await sql`alter table ${sql.table(table)} drop constraint if exists ${sql.id(name)}`.execute(db);
  }
  await sql`alter function ${BATCH_FUNCTION} set enable_seqscan = off`.execute(db);
  await sql`alter function ${BATCH_FUNCTION} set plan_cache_mode = force_generic_plan`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`alter function ${BATCH_FUNCTION} reset enable_seqscan`.execute(db);
  await sql`alter function ${BATCH_FUNCTION} reset plan_cache_mode`.execute(db);
  for (const { table, name, definition } of DROPPED) {
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(name)} ${sql.raw(definition)}`.execute(db);
  }
}
