// A usage entry's idempotency key is no longer indexed: `ledger_entries.idempotency_key` is unique
// only among the entries that are not usage (`where kind <> 'usage'`), one B-tree insert less per
// usage debit (into a random leaf page when request ids are random, as real gateways' are).
//
// Why a usage entry needs no unique index of its own: its key is derived from its debit's key
// (`usage:<request id>`, then `…#2`, `…#3` for the next parts, ledger/plan.ts `entryKey`), and the
// debit is written in the same transaction under `ledger_debits.idempotency_key`, its primary key.
// A second debit with the same key fails on that key (or is answered as a replay before it writes
// anything), so no two usage entries can share a key. `verifyLedger` (`npm run ledger:verify`)
// reports any key shared by two entries all the same.
//
// What stays as it was: a credit (grant, purchase, adjustment) and an expiry entry are still found
// and kept unique by their key, through the partial index, and so are the `adjustment` entries of
// a reversal. The lookups by key (ledger.server.ts: a credit's replay, the reversal's "already
// used by a credit entry" check, the expiry's ON CONFLICT) say `kind <> 'usage'` so that both
// databases use the partial index (SQLite uses a partial index only for a query whose WHERE
// implies the index's; an ON CONFLICT target must name it with the same WHERE). Those lookups
// never needed to find a usage entry: a usage entry's key without `#` is its debit's key, which a
// reversal finds first in `ledger_debits` (and refuses as a different kind), and a key with `#` is
// refused by every caller's input check.
//
// A credit keyed `usage:…`: no caller makes one (their keys are `purchase:`, `redemption:`,
// `referral:`, `claim:`, `support-adjustment:`, `debt-settlement:`, `expiry:`…), and
// `creditAccount` now refuses the prefix. Before, such a credit and a usage debit of the same key
// could not both write an entry (the second failed on the unique key); now they could, as the
// usage entry is outside the index. Refusing the prefix keeps the two key spaces apart. A credit
// written with a `usage:` key before this migration stays valid; `verifyLedger` reports it if a
// usage entry ever shares its key.
//
// PostgreSQL: the unique constraint made by 0003 (`ledger_entries_idempotency_key_key`, found in
// pg_constraint rather than assumed) is dropped and the partial unique index created. The batch
// function (0025) inserts usage entries without ON CONFLICT and names no constraint: unchanged.
// SQLite cannot drop a column's UNIQUE: the table is rebuilt (SQLite's "generalized ALTER TABLE"
// procedure, https://www.sqlite.org/lang_altertable.html#otheralter) from its own CREATE TABLE
// text minus that UNIQUE, its indexes and append-only triggers are re-created from their own text,
// then the partial index. Rows and their ids are copied as they are. `ledger_promo_grants` and the
// table itself reference `ledger_entries.id`: DROP TABLE with foreign keys on deletes every row
// first and fails on those references (`PRAGMA defer_foreign_keys` does not help: the count of
// deferred violations is not undone by the renamed copy), so foreign keys are turned off for the
// rebuild, which SQLite allows only outside a transaction. Kysely runs SQLite migrations outside a
// transaction (its SQLite adapter has no transactional DDL), so this migration opens its own,
// checks `PRAGMA foreign_key_check` of the two referencing tables before committing, and turns foreign keys back on whatever
// happens.
import { sql, type Kysely } from "kysely";

const INDEX = "ledger_entries_key_unless_usage";
const CONSTRAINT = "ledger_entries_idempotency_key_key";
const UNIQUE_COLUMN = `"idempotency_key" text not null unique`;
const PLAIN_COLUMN = `"idempotency_key" text not null`;

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes("postgres");
}

async function createPartialIndex(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex(INDEX)
    .unique()
    .on("ledger_entries")
    .column("idempotency_key")
    .where(sql.ref("kind"), "<>", sql.lit("usage"))
    .execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    const { rows } = await sql<{ conname: string }>`
      select c.conname from pg_constraint c
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
       where c.conrelid = 'ledger_entries'::regclass and c.contype = 'u' and a.attname = 'idempotency_key'
         and cardinality(c.conkey) = 1`.execute(db);
    for (const { conname } of rows) {
      await sql`alter table ledger_entries drop constraint ${sql.id(conname)}`.execute(db);
    }
    await createPartialIndex(db);
    return;
  }
  await rebuildSqliteTable(db, (create) => {
    if (create.split(UNIQUE_COLUMN).length !== 2) throw new Error(`0027: ledger_entries is not as 0003 made it: ${create}`);
    return create.replace(UNIQUE_COLUMN, PLAIN_COLUMN);
  });
  await createPartialIndex(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Fails (and changes nothing) if two entries share a key, as the old unique key forbids.
  if (isPostgres(db)) {
    await db.schema.dropIndex(INDEX).ifExists().execute();
    await sql`alter table ledger_entries add constraint ${sql.id(CONSTRAINT)} unique (idempotency_key)`.execute(db);
    return;
  }
  await db.schema.dropIndex(INDEX).ifExists().execute();
  await rebuildSqliteTable(db, (create) => {
    if (create.split(PLAIN_COLUMN).length !== 2 || create.includes(UNIQUE_COLUMN)) {
      throw new Error(`0027 down: ledger_entries is not as 0027 made it: ${create}`);
    }
    return create.replace(PLAIN_COLUMN, UNIQUE_COLUMN);
  });
}

/**
 * Rebuilds `ledger_entries` on SQLite with the CREATE TABLE text `change` makes of the current
 * one: same rows, same indexes and triggers (re-created from their own text), in one transaction
 * with foreign keys off, checked before the commit.
 */
async function rebuildSqliteTable(db: Kysely<any>, change: (create: string) => string): Promise<void> {
  const { rows: schema } = await sql<{ type: string; name: string; sql: string | null }>`
    select type, name, sql from sqlite_master where tbl_name = 'ledger_entries' order by type, name`.execute(db);
  const table = schema.find((row) => row.type === "table");
  if (!table?.sql) throw new Error("0027: no ledger_entries table");
  const prefix = `CREATE TABLE "ledger_entries" (`;
  if (!table.sql.startsWith(prefix)) throw new Error(`0027: unexpected CREATE TABLE text: ${table.sql}`);
  const createNew = `CREATE TABLE "ledger_entries_new" (${change(table.sql).slice(prefix.length)}`;
  // Indexes and triggers made by a statement (autoindexes of UNIQUE and PRIMARY KEY have no text).
  const dependents = schema.filter((row) => row.type !== "table" && row.sql !== null).map((row) => row.sql!);

  const foreignKeys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
  const wasOn = foreignKeys.rows[0]?.foreign_keys === 1;
  if (wasOn) {
    await sql`pragma foreign_keys = off`.execute(db);
    const after = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
    // A no-op inside a transaction: the rebuild would then fail on the references anyway.
    if (after.rows[0]?.foreign_keys !== 0) throw new Error("0027: cannot turn foreign keys off (already inside a transaction?)");
  }
  try {
    await sql`begin immediate`.execute(db);
    try {
      await sql.raw(createNew).execute(db);
      await sql`insert into ledger_entries_new select * from ledger_entries`.execute(db);
      await sql`drop table ledger_entries`.execute(db);
      await sql`alter table ledger_entries_new rename to ledger_entries`.execute(db);
      for (const statement of dependents) await sql.raw(statement).execute(db);
      const violations = [
        ...(await sql<Record<string, unknown>>`pragma foreign_key_check(ledger_entries)`.execute(db)).rows,
        ...(await sql<Record<string, unknown>>`pragma foreign_key_check(ledger_promo_grants)`.execute(db)).rows,
      ];
      if (violations.length) throw new Error(`0027: foreign key violations after the rebuild: ${JSON.stringify(violations.slice(0, 5))}`);
      await sql`commit`.execute(db);
    } catch (error) {
      // (An error may have rolled the transaction back already.)
      await sql`rollback`.execute(db).catch(() => undefined);
      throw error;
    }
  } finally {
    if (wasOn) await sql`pragma foreign_keys = on`.execute(db);
  }
}
