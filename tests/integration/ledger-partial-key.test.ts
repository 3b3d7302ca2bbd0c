// Migration 0027 (SQLite, or PostgreSQL with TEST_DATABASE_URL): the entries' keys are unique only
// outside usage. Run down to 0026 on a ledger with rows (promo and paid credit, usage split over
// grants and paid, a reversal, an expiry), up again, down and up: every row is kept as it was, the
// foreign keys and the database check out, a credit's key is still unique, and every lookup by key
// still uses an index.
import { sql, type Kysely } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { creditAccount, debitUsage, expirePromoCredit, LedgerConflictError, LedgerInputError, reverseCredit, verifyLedger } from "~/domain/ledger.server";
import type { Database } from "~/lib/db-schema";
import { dialectOf, getDb } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { migrateTo, migrateToLatest } from "~/lib/migrate.server";
import { insertLedgerAccount } from "./helpers";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);
const INDEX = "ledger_entries_key_unless_usage";
const postgres = () => dialectOf(getDb()) === "postgres";

const migrateDownTo0026 = () => migrateTo(getDb(), "0026_key_counters_in_place");
const migrateUp = () => migrateToLatest(getDb());

const newAccount = () => insertLedgerAccount();

function credit(accountId: string, key: string, bucket: "promo" | "paid", tokens: number, now = T0, expiresAt = days(10)) {
  return creditAccount(getDb(), {
    accountId,
    kind: bucket === "promo" ? "grant" : "purchase",
    bucket,
    tokens,
    idempotencyKey: key,
    referenceType: "test",
    referenceId: key,
    expiresAt: bucket === "promo" ? expiresAt.toISOString() : null,
    now,
  });
}

async function snapshot(db: Kysely<Database> = getDb()) {
  const [entries, debits, grants, balances] = await Promise.all([
    db.selectFrom("ledger_entries").selectAll().orderBy("id").execute(),
    db.selectFrom("ledger_debits").selectAll().orderBy("idempotency_key").execute(),
    db.selectFrom("ledger_promo_grants").selectAll().orderBy("grant_entry_id").execute(),
    db.selectFrom("account_balances").selectAll().orderBy("account_id").execute(),
  ]);
  return JSON.parse(JSON.stringify({ entries, debits, grants, balances }, (_key, value) => (typeof value === "bigint" ? Number(value) : value)));
}

/** What enforces the keys of `ledger_entries`: unique constraints/indexes with their conditions. */
async function keyIndexes(): Promise<string[]> {
  if (postgres()) {
    const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes where tablename = 'ledger_entries' and indexdef like '%idempotency_key%' order by indexname`.execute(getDb());
    return rows.map((row) => row.indexdef.replace(/ ON public\./, " ON ").replace(/::text/g, ""));
  }
  const { rows } = await sql<{ name: string; sql: string | null }>`select name, sql from sqlite_master where type = 'index' and tbl_name = 'ledger_entries' order by name`.execute(getDb());
  const keyed: string[] = [];
  for (const row of rows) {
    const columns = await sql<{ name: string }>`select name from pragma_index_info(${row.name})`.execute(getDb());
    if (columns.rows.some((column) => column.name === "idempotency_key")) keyed.push(row.sql ?? `${row.name} (column UNIQUE)`);
  }
  return keyed;
}

async function expectSqliteHealthy() {
  if (postgres()) return;
  const db = getDb();
  expect((await sql`pragma foreign_key_check`.execute(db)).rows).toEqual([]);
  expect((await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db)).rows).toEqual([{ integrity_check: "ok" }]);
  expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows).toEqual([{ foreign_keys: 1 }]);
  // The append-only triggers came back with the table.
  const triggers = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and tbl_name = 'ledger_entries' order by name`.execute(db);
  expect(triggers.rows.map((row) => row.name)).toEqual(["ledger_entries_no_delete", "ledger_entries_no_update"]);
}

async function expectVerified() {
  const verification = await verifyLedger(getDb());
  expect(verification.mismatches).toEqual([]);
  expect(verification.ok).toBe(true);
}

let accounts: string[] = [];

beforeAll(async () => {
  await migrateDownTo0026();
  expect(await keyIndexes()).toHaveLength(1);
  // A ledger written before 0027: promo + paid credit, usage spread over two grants and paid
  // (entries keyed `…#2`, `…#3`), a reversal, an expired grant, and an account without credit.
  for (let n = 0; n < 3; n += 1) {
    const account = await newAccount();
    accounts.push(account);
    await credit(account, `grant-a-${account}`, "promo", 100, T0, days(10));
    await credit(account, `grant-b-${account}`, "promo", 50, T0, days(1));
    await credit(account, `grant-c-${account}`, "promo", 30, T0, days(2));
    await credit(account, `paid-${account}`, "paid", 1000);
    // b 50, c 30, a 40: three entries; then a 60 and paid 40.
    await debitUsage(getDb(), { accountId: account, requestId: `req-1-${account}`, tokens: 120, now: T0 });
    await debitUsage(getDb(), { accountId: account, requestId: `req-2-${account}`, tokens: 100, now: T0 });
    await reverseCredit(getDb(), { accountId: account, idempotencyKey: `refund-${account}`, tokens: 200, bucket: "paid", referenceType: "test", referenceId: "r", now: T0 });
    // Unspent, expired at day 5 below: an expiry entry.
    await credit(account, `grant-e-${account}`, "promo", 25, T0, days(1));
  }
  const broke = await newAccount();
  accounts.push(broke);
  await debitUsage(getDb(), { accountId: broke, requestId: `req-broke-${broke}`, tokens: 7, now: T0 });
  await expirePromoCredit(getDb(), days(5));
  await expectVerified();
});

describe("migration 0027 on a ledger with rows", () => {
  it("keeps every row, foreign key and trigger, up and down and up again", async () => {
    const before = await snapshot();
    expect(before.entries.length).toBeGreaterThan(15);
    expect(before.entries.some((entry: { idempotency_key: string }) => entry.idempotency_key.endsWith("#3"))).toBe(true);
    expect(new Set(before.entries.map((entry: { kind: string }) => entry.kind))).toEqual(new Set(["grant", "purchase", "usage", "adjustment", "expiry"]));

    await migrateUp();
    expect(await snapshot()).toEqual(before);
    const partial = await keyIndexes();
    expect(partial).toHaveLength(1);
    expect(partial[0]).toMatch(new RegExp(`CREATE UNIQUE INDEX "?${INDEX}"? ON "?ledger_entries"?.*\\(?"?kind"? <> 'usage'\\)?`, "i"));
    await expectSqliteHealthy();
    await expectVerified();

    await migrateDownTo0026();
    expect(await snapshot()).toEqual(before);
    expect(await keyIndexes()).toHaveLength(1);
    expect((await keyIndexes())[0]).not.toMatch(/usage/);
    await expectSqliteHealthy();

    await migrateUp();
    expect(await snapshot()).toEqual(before);
    await expectSqliteHealthy();
    await expectVerified();
  });
});

describe("after 0027", () => {
  it("still keeps a credit's key unique, and answers replays and clashes as before", async () => {
    const account = accounts[0]!;
    // A replay of a credit written before the migration answers the first entry.
    const replay = await credit(account, `paid-${account}`, "paid", 1000);
    expect(replay.duplicate).toBe(true);
    // Same key, different amount: refused.
    await expect(credit(account, `paid-${account}`, "paid", 999)).rejects.toBeInstanceOf(LedgerConflictError);
    // A new credit, then its replay.
    const first = await credit(account, `paid-new-${account}`, "paid", 5, days(6));
    expect(await credit(account, `paid-new-${account}`, "paid", 5, days(6))).toEqual({ entryId: first.entryId, duplicate: true });
    // A reversal keyed like a credit: refused as before.
    await expect(
      reverseCredit(getDb(), { accountId: account, idempotencyKey: `paid-new-${account}`, tokens: 1, bucket: "paid", referenceType: "test", referenceId: "x", now: days(6) }),
    ).rejects.toThrow(/already used by a credit entry/);
    // …and a reversal keyed like a usage debit, by its debit.
    await expect(
      reverseCredit(getDb(), { accountId: account, idempotencyKey: `usage:req-1-${account}`, tokens: 1, bucket: "paid", referenceType: "test", referenceId: "x", now: days(6) }),
    ).rejects.toBeInstanceOf(LedgerConflictError);
    // An expiry posts once (its insert's ON CONFLICT names the partial index).
    await credit(account, `grant-new-${account}`, "promo", 5, days(6), days(10));
    expect(await expirePromoCredit(getDb(), days(20))).toEqual({ expiredGrants: 1, tokens: 5 });
    expect(await expirePromoCredit(getDb(), days(20))).toEqual({ expiredGrants: 0, tokens: 0 });
    // Usage keys are the usage debits' own.
    await expect(credit(account, `usage:req-9-${account}`, "paid", 5, days(6))).rejects.toBeInstanceOf(LedgerInputError);
    // A usage replay is still a replay; a new debit still writes.
    expect(await debitUsage(getDb(), { accountId: account, requestId: `req-1-${account}`, tokens: 120, now: T0 })).toMatchObject({ duplicate: true, debited: 120 });
    expect(await debitUsage(getDb(), { accountId: account, requestId: `req-3-${account}`, tokens: 3, now: days(6) })).toMatchObject({ duplicate: false, debited: 3 });
    await expectVerified();
  });

  it("refuses a second entry other than usage with a taken key, in the database itself", async () => {
    const account = accounts[1]!;
    const at = days(6).toISOString();
    const row = (kind: "purchase" | "usage", key: string) => ({
      id: newId("led"), account_id: account, kind, bucket: "paid" as const, amount: kind === "usage" ? -1 : 1, idempotency_key: key,
      reference_type: "test", reference_id: "x", expires_at: null, grant_entry_id: null, note: null, actor_id: null, created_at: at,
    });
    // A credit's key, taken by a credit or by a usage entry written beside it: unique violation.
    await expect(getDb().insertInto("ledger_entries").values(row("purchase", `paid-${account}`)).execute()).rejects.toMatchObject({
      code: postgres() ? "23505" : "SQLITE_CONSTRAINT_UNIQUE",
    });
    // Two usage entries with one key are not the database's to refuse any more (their debit's key
    // is): the verification reports them. Rolled back, the ledger being append-only.
    const found = await getDb()
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto("ledger_entries").values(row("usage", `usage:req-1-${account}`)).execute();
        await trx.updateTable("account_balances").set((eb) => ({ paid: eb("paid", "-", 1) })).where("account_id", "=", account).execute();
        const verification = await verifyLedger(trx);
        throw Object.assign(new Error("roll back"), { verification });
      })
      .catch((error: { verification?: Awaited<ReturnType<typeof verifyLedger>> }) => error.verification);
    expect(found?.mismatches).toEqual([{ type: "shared_key", idempotencyKey: `usage:req-1-${account}`, entries: 2 }]);
    await expectVerified();
  });

  it("looks entries up by key through the partial index (no table scan)", async () => {
    const db = getDb();
    const key = `paid-${accounts[0]}`;
    // The statements of ledger.server.ts: a credit's replay, a reversal's clash, an expiry's insert.
    const lookups = [
      db.selectFrom("ledger_entries").select(["id", "kind"]).where("idempotency_key", "=", key).where("kind", "<>", sql.lit("usage")).compile(),
      db
        .insertInto("ledger_entries")
        .values({ id: "x", account_id: accounts[0]!, kind: "expiry", bucket: "promo", amount: -1, idempotency_key: key, reference_type: "t", reference_id: "t", expires_at: null, grant_entry_id: null, note: null, actor_id: null, created_at: "t" })
        .onConflict((conflict) => conflict.column("idempotency_key").where("kind", "<>", sql.lit("usage")).doNothing())
        .returning("id")
        .compile(),
    ];
    const [select, insert] = lookups;
    if (postgres()) {
      const plan = await db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        const rows = await trx.executeQuery<{ "QUERY PLAN": string }>({ ...select!, sql: `explain ${select!.sql}` });
        return rows.rows.map((row) => row["QUERY PLAN"]).join("\n");
      });
      expect(plan).toContain(INDEX);
      expect(plan).not.toMatch(/Seq Scan/);
      // ON CONFLICT names its arbiter: the partial index (planned only, the insert is not run).
      const conflict = await db.executeQuery<{ "QUERY PLAN": string }>({ ...insert!, sql: `explain ${insert!.sql}` });
      expect(conflict.rows.map((row) => row["QUERY PLAN"]).join("\n")).toContain(`Conflict Arbiter Indexes: ${INDEX}`);
    } else {
      const plan = await db.executeQuery<{ detail: string }>({ ...select!, sql: `explain query plan ${select!.sql}` });
      expect(plan.rows.map((row) => row.detail).join("\n")).toMatch(new RegExp(`SEARCH ledger_entries USING INDEX ${INDEX} \\(idempotency_key=\\?\\)`));
      // SQLite checks the ON CONFLICT target against the indexes when it prepares the statement.
      await expect(db.executeQuery({ ...insert!, sql: `explain ${insert!.sql}` })).resolves.toBeTruthy();
    }
    // Without the condition, SQLite could not use the index: the condition is what the app adds.
    if (!postgres()) {
      const bare = db.selectFrom("ledger_entries").select("id").where("idempotency_key", "=", key).compile();
      const plan = await db.executeQuery<{ detail: string }>({ ...bare, sql: `explain query plan ${bare.sql}` });
      expect(plan.rows.map((row) => row.detail).join("\n")).toMatch(/SCAN ledger_entries/);
    }
  });
});
