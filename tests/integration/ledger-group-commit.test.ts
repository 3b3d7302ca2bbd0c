// Group commit of usage debits (SQLite savepoints; PostgreSQL batches of one SQL function call):
// debits sent together share a transaction, yet each keeps its own idempotency and result, one
// failing debit fails alone, the batch is bounded, and the debit hooks' writes commit and roll
// back with their debits, as do each debit's usage record, daily roll-up and key counters.
// PostgreSQL-only checks read the batcher's counters.
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { creditAccount, debitUsage, getBalance, verifyLedger } from "~/domain/ledger.server";
import { registerDebitHook } from "~/domain/ledger/debit-hooks.server";
import { postgresBatcherFor, postgresBatching } from "~/domain/ledger/postgres-batch.server";
import { keyTokenCounter, usageCountQuery } from "~/domain/key-limits/counters.server";
import { windowsAt } from "~/domain/key-limits/limits";
import { createDatabase, DEFAULT_DATABASE_LIMITS, dialectOf, getDb } from "~/lib/db.server";
import { insertLedgerAccount } from "./helpers";
import { createKeyRowFor } from "./support-fixtures";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

async function newAccount(paid: number): Promise<string> {
  const id = await insertLedgerAccount("group.test");
  if (paid > 0) await creditAccount(getDb(), { accountId: id, kind: "purchase", bucket: "paid", tokens: paid, idempotencyKey: `buy:${id}`, referenceType: "purchase", referenceId: id, now: T0 });
  return id;
}

function use(accountId: string, tokens: number, requestId: string, detail?: Record<string, unknown>) {
  return debitUsage(getDb(), { accountId, requestId, tokens, now: T0, detail });
}

type Counting = "statement" | "batch writer";

/**
 * A gateway-like debit: its usage record and its key's token counters go with it, the counters as
 * a plain statement or as the gateway sends them (an item of the counters' batch writer, which a
 * PostgreSQL batch writes in its own statement).
 */
function meteredDebit(accountId: string, keyId: string, model: string, requestId: string, tokens = 10, counting: Counting = "statement", now = T0) {
  const windows = windowsAt(now);
  return debitUsage(getDb(), {
    accountId,
    requestId,
    tokens,
    now,
    usage: { keyId, model, providerModel: null, inputTokens: tokens - 3, cachedInputTokens: 1, outputTokens: 3 },
    alongside:
      counting === "statement"
        ? usageCountQuery(getDb(), keyId, tokens, windows, now.toISOString())
        : { writer: keyTokenCounter, item: { keyId, tokens, windows, now: now.toISOString() } },
  });
}

async function dailyRows(accountId: string) {
  const rows = await getDb().selectFrom("usage_daily").selectAll().where("account_id", "=", accountId).execute();
  return rows
    .map((row) => ({ key: row.key_id, model: row.model, requests: Number(row.requests), input: Number(row.input_tokens), cached: Number(row.cached_input_tokens), output: Number(row.output_tokens), debited: Number(row.debited_tokens) }))
    .sort(byKeyAndModel);
}

function byKeyAndModel(a: { key: string; model: string }, b: { key: string; model: string }): number {
  const left = `${a.key} ${a.model}`;
  const right = `${b.key} ${b.model}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

async function dayTokens(keyId: string): Promise<number | null> {
  const row = await getDb().selectFrom("api_key_counters").select("day_tokens").where("key_id", "=", keyId).executeTakeFirst();
  return row ? Number(row.day_tokens) : null;
}

async function debitRows(like: string): Promise<number> {
  const row = await getDb().selectFrom("ledger_debits").select(sql<number>`count(*)`.as("n")).where("idempotency_key", "like", like).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function expectConsistent() {
  const verification = await verifyLedger(getDb());
  expect(verification.mismatches).toEqual([]);
}

// A side table written by a debit hook, as usage records will be: one multi-row insert per batch.
const removeHook: Array<() => void> = [];
beforeAll(async () => {
  await sql`create table hook_usage (request_id text primary key, account_id text not null, tokens integer not null, model text)`.execute(getDb());
});
afterEach(() => {
  for (const remove of removeHook.splice(0)) remove();
  Object.assign(postgresBatching, { maxBatch: 128, maxInFlight: 3, maxWaitMs: 2 });
});
afterAll(async () => {
  await sql`drop table hook_usage`.execute(getDb());
});

function hookUsageRows() {
  removeHook.push(
    registerDebitHook({
      name: "test-usage",
      statements: (db, debits) => [
        db
          .insertInto("hook_usage" as never)
          .values(debits.map((debit) => ({ request_id: debit.requestId, account_id: debit.accountId, tokens: debit.debited, model: String(debit.detail?.model ?? "") })) as never)
          .compile(),
      ],
    }),
  );
}

async function hookRows(accountId: string) {
  const { rows } = await sql<{ request_id: string; tokens: number; model: string }>`select request_id, tokens, model from hook_usage where account_id = ${accountId} order by request_id`.execute(getDb());
  return rows.map((row) => ({ ...row, tokens: Number(row.tokens) }));
}

describe("group commit", () => {
  it("one failing debit in a batch does not fail the others", async () => {
    hookUsageRows();
    const account = await newAccount(1_000);
    // The hook's insert for this request id will hit the primary key: its debit must fail alone.
    await sql`insert into hook_usage (request_id, account_id, tokens, model) values (${`${account}-taken`}, 'someone', 0, 'x')`.execute(getDb());
    const batcher = dialectOf(getDb()) === "postgres" ? postgresBatcherFor(getDb()) : null;
    batcher?.resetStats();
    const ids = Array.from({ length: 12 }, (_, i) => `${account}-ok-${String(i).padStart(2, "0")}`);
    const results = await Promise.allSettled([
      ...ids.slice(0, 6).map((id) => use(account, 10, id, { model: "glm-4" })),
      use(account, 10, `${account}-taken`, { model: "glm-4" }),
      debitUsage(getDb(), { accountId: "usr_nobody_here", requestId: `${account}-nobody`, tokens: 5, now: T0 }),
      ...ids.slice(6).map((id) => use(account, 10, id, { model: "glm-4" })),
    ]);
    expect(results.map((r) => r.status)).toEqual([...Array(6).fill("fulfilled"), "rejected", "rejected", ...Array(6).fill("fulfilled")]);
    expect((await getBalance(getDb(), account, T0)).total).toBe(1_000 - 12 * 10);
    expect(await debitRows(`usage:${account}-ok-%`)).toBe(12);
    expect(await debitRows(`usage:${account}-taken`)).toBe(0);
    expect(await debitRows(`usage:${account}-nobody`)).toBe(0);
    expect(await hookRows(account)).toEqual(ids.map((id) => ({ request_id: id, tokens: 10, model: "glm-4" })));
    if (batcher) {
      const stats = batcher.stats();
      expect(stats.split).toBeGreaterThanOrEqual(1); // the hook's failure failed a batch, which was split
      expect(stats.largestBatch).toBeGreaterThan(1);
    }
    await expectConsistent();
  });

  it("answers replays inside one batch from the first debit, once", async () => {
    hookUsageRows();
    const account = await newAccount(100);
    const batcher = dialectOf(getDb()) === "postgres" ? postgresBatcherFor(getDb()) : null;
    batcher?.resetStats();
    const results = await Promise.all([
      use(account, 30, `${account}-same`),
      use(account, 30, `${account}-other`),
      use(account, 30, `${account}-same`),
      use(account, 30, `${account}-same`),
      use(account, 30, `${account}-last`),
    ]);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(3);
    const same = [results[0]!, results[2]!, results[3]!];
    expect(same.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(same.map((r) => `${r.debited}/${r.shortfall}/${r.balanceAfter}`)).size).toBe(1);
    expect(results.reduce((sum, r) => sum + (r.duplicate ? 0 : r.debited), 0)).toBe(90);
    expect((await getBalance(getDb(), account, T0)).total).toBe(10);
    expect(await debitRows(`usage:${account}-same`)).toBe(1);
    expect((await hookRows(account)).map((row) => row.request_id)).toEqual([`${account}-last`, `${account}-other`, `${account}-same`]);
    if (batcher) expect(batcher.stats().largestBatch).toBeGreaterThan(1);
    await expectConsistent();
  });

  it.each<Counting>(["statement", "batch writer"])("writes each new debit's usage record, roll-up and key counters (as a %s) with it, never for a replay", async (counting) => {
    const metered = (accountId: string, keyId: string, model: string, requestId: string) => meteredDebit(accountId, keyId, model, requestId, 10, counting);
    const account = await newAccount(1_000);
    const keyA = await createKeyRowFor(account);
    const keyB = await createKeyRowFor(account);
    const taken = `${account}-taken`;
    // A usage record already holds this request id: that debit's record fails, and the debit with it.
    await getDb()
      .insertInto("usage_records")
      .values({ request_id: taken, account_id: "someone", key_id: keyA, model: "x", provider_model: null, input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, debited_tokens: 0, shortfall_tokens: 0, created_at: T0.toISOString() })
      .execute();
    const batcher = dialectOf(getDb()) === "postgres" ? postgresBatcherFor(getDb()) : null;
    batcher?.resetStats();
    const results = await Promise.allSettled([
      ...Array.from({ length: 6 }, (_, i) => metered(account, keyA, "glm-4", `${account}-a-${i}`)),
      metered(account, keyA, "glm-4", `${account}-a-0`),
      metered(account, keyA, "glm-4", taken),
      ...Array.from({ length: 2 }, (_, i) => metered(account, keyB, "glm-4", `${account}-b-${i}`)),
      // The key counters' row needs an existing key: this debit's alongside statement fails.
      metered(account, `${account}-no-such-key`, "glm-4", `${account}-nokey`),
      ...Array.from({ length: 2 }, (_, i) => metered(account, keyA, "glm-4-air", `${account}-air-${i}`)),
    ]);
    expect(results.map((r) => r.status)).toEqual([...Array(7).fill("fulfilled"), "rejected", "fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(results.filter((r) => r.status === "fulfilled" && r.value.duplicate)).toHaveLength(1);
    expect(await debitRows(`usage:${taken}`)).toBe(0);
    expect(await debitRows(`usage:${account}-nokey`)).toBe(0);
    expect((await getBalance(getDb(), account, T0)).total).toBe(1_000 - 10 * 10);
    const records = await getDb().selectFrom("usage_records").select(["request_id", "debited_tokens"]).where("account_id", "=", account).execute();
    expect(records).toHaveLength(10);
    expect(records.every((record) => Number(record.debited_tokens) === 10)).toBe(true);
    const expected = (key: string, model: string, requests: number) => ({ key, model, requests, input: 7 * requests, cached: requests, output: 3 * requests, debited: 10 * requests });
    expect(await dailyRows(account)).toEqual([expected(keyA, "glm-4", 6), expected(keyA, "glm-4-air", 2), expected(keyB, "glm-4", 2)].sort(byKeyAndModel));
    expect(await dayTokens(keyA)).toBe(80);
    expect(await dayTokens(keyB)).toBe(20);
    if (batcher) {
      expect(batcher.stats().split).toBeGreaterThanOrEqual(1);
      expect(batcher.stats().largestBatch).toBeGreaterThan(1);
    }

    // A second burst adds to the same roll-up row and counters (the upsert's update).
    await Promise.all(Array.from({ length: 3 }, (_, i) => metered(account, keyA, "glm-4", `${account}-again-${i}`)));
    expect((await dailyRows(account)).find((row) => row.key === keyA && row.model === "glm-4")?.requests).toBe(9);
    expect(await dayTokens(keyA)).toBe(110);
    await expectConsistent();
  });

  it("debits beyond the balance from many requests at once never overspend", async () => {
    const account = await newAccount(500);
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => use(account, 17, `${account}-drain-${i}`)));
    expect(results.reduce((sum, r) => sum + r.debited, 0)).toBe(500);
    expect(results.reduce((sum, r) => sum + r.shortfall, 0)).toBe(60 * 17 - 500);
    expect((await getBalance(getDb(), account, T0)).total).toBe(0);
    await expectConsistent();
  });
});

describe.runIf(onPostgres)("group commit on PostgreSQL", () => {
  it("bounds the batch and still answers every debit", async () => {
    Object.assign(postgresBatching, { maxBatch: 4, maxInFlight: 2 });
    const accounts = await Promise.all(Array.from({ length: 5 }, () => newAccount(1_000)));
    const batcher = postgresBatcherFor(getDb());
    batcher.resetStats();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => use(accounts[i % 5]!, 3, `${accounts[0]}-bounded-${i}`)));
    expect(results.every((r) => r.debited === 3 && !r.duplicate)).toBe(true);
    const stats = batcher.stats();
    expect(stats.largestBatch).toBeLessThanOrEqual(4);
    expect(stats.debits).toBe(40);
    expect(stats.batches).toBeGreaterThanOrEqual(10);
    for (const account of accounts) expect((await getBalance(getDb(), account, T0)).total).toBe(1_000 - 8 * 3);
    await expectConsistent();
  });

  it("counts a key whose batch spans a minute as one debit at a time would: the new minute starts over", async () => {
    const account = await newAccount(1_000);
    const key = await createKeyRowFor(account);
    const batcher = postgresBatcherFor(getDb());
    batcher.resetStats();
    const later = new Date(T0.getTime() + 60_000);
    await Promise.all([
      meteredDebit(account, key, "glm-4", `${account}-m0-a`, 10, "batch writer", T0),
      meteredDebit(account, key, "glm-4", `${account}-m0-b`, 20, "batch writer", T0),
      meteredDebit(account, key, "glm-4", `${account}-m1`, 5, "batch writer", later),
    ]);
    expect(batcher.stats().largestBatch).toBe(3);
    const counters = await getDb().selectFrom("api_key_counters").selectAll().where("key_id", "=", key).executeTakeFirstOrThrow();
    expect({ minute: counters.minute_start, minuteTokens: Number(counters.minute_tokens), dayTokens: Number(counters.day_tokens) }).toEqual({
      minute: windowsAt(later).minute,
      minuteTokens: 5,
      dayTokens: 35,
    });
    expect((await dailyRows(account)).map((row) => row.requests)).toEqual([3]);
    await expectConsistent();
  });

  it("updates the balance, the promo grant, the key's counters and the day's roll-up in place (heap-only updates, no index entry)", async () => {
    const account = await newAccount(1_000);
    await creditAccount(getDb(), { accountId: account, kind: "grant", bucket: "promo", tokens: 1_000, idempotencyKey: `grant:${account}`, referenceType: "grant", referenceId: account, now: T0, expiresAt: "2031-01-01T00:00:00.000Z" });
    const key = await createKeyRowFor(account);
    const windows = windowsAt(T0);
    const tables = ["account_balances", "ledger_promo_grants", "api_key_counters", "usage_daily"];
    // pg_stat_xact_user_tables counts this transaction's own updates, whatever else runs meanwhile.
    const counts = await getDb().transaction().execute(async (trx) => {
      for (let i = 0; i < 5; i += 1) {
        // A second apart, as reports come: each one sets the rows' updated_at anew.
        const now = new Date(T0.getTime() + i * 1_000);
        await debitUsage(trx, {
          accountId: account,
          requestId: `${account}-hot-${i}`,
          tokens: 10,
          now,
          usage: { keyId: key, model: "glm-4", providerModel: null, inputTokens: 7, cachedInputTokens: 1, outputTokens: 3 },
          alongside: { writer: keyTokenCounter, item: { keyId: key, tokens: 10, windows, now: now.toISOString() } },
        });
      }
      const { rows } = await sql<{ relname: string; updated: number; hot: number }>`
        select relname, n_tup_upd::int as updated, n_tup_hot_upd::int as hot from pg_stat_xact_user_tables where relname in (${sql.join(tables)})`.execute(trx);
      return Object.fromEntries(rows.map((row) => [row.relname, { updated: row.updated, hot: row.hot }]));
    });
    for (const table of tables) {
      expect(counts[table]?.updated, table).toBeGreaterThanOrEqual(4);
      expect(counts[table]?.hot, table).toBe(counts[table]?.updated);
    }
  });

  it.each([true, false])("runs a batch as a prepared statement only where allowed (DB_PREPARED_STATEMENTS on: %s)", async (preparedStatements) => {
    const account = await newAccount(1_000);
    const key = await createKeyRowFor(account);
    // One connection, so that pg_prepared_statements (per session) is the batch's.
    const db = createDatabase(process.env.DATABASE_URL!, { ...DEFAULT_DATABASE_LIMITS, poolMax: 1, preparedStatements });
    try {
      const windows = windowsAt(T0);
      const debit = (requestId: string) =>
        debitUsage(db, {
          accountId: account,
          requestId,
          tokens: 10,
          now: T0,
          usage: { keyId: key, model: "glm-4", providerModel: null, inputTokens: 7, cachedInputTokens: 1, outputTokens: 3 },
          alongside: { writer: keyTokenCounter, item: { keyId: key, tokens: 10, windows, now: T0.toISOString() } },
        });
      const results = await Promise.all([debit(`${account}-p1`), debit(`${account}-p2`), debit(`${account}-p1`)]);
      expect(results.map((result) => [result.debited, result.duplicate])).toEqual([[10, false], [10, false], [10, true]]);
      const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements where name like 'ferry_%'`.execute(db);
      expect(rows.length > 0).toBe(preparedStatements);
    } finally {
      await db.destroy();
    }
    expect(await dayTokens(key)).toBe(20);
    expect((await dailyRows(account)).map((row) => row.requests)).toEqual([2]);
    await expectConsistent();
  });

  it("runs the debit in one statement inside a caller's transaction, hooks included", async () => {
    hookUsageRows();
    const account = await newAccount(100);
    await expect(
      getDb()
        .transaction()
        .execute(async (trx) => {
          await debitUsage(trx, { accountId: account, requestId: `${account}-in-trx`, tokens: 40, now: T0, detail: { model: "m" } });
          throw new Error("caller fails");
        }),
    ).rejects.toThrow("caller fails");
    expect(await hookRows(account)).toEqual([]);
    expect((await getBalance(getDb(), account, T0)).total).toBe(100);
    await getDb()
      .transaction()
      .execute((trx) => debitUsage(trx, { accountId: account, requestId: `${account}-in-trx`, tokens: 40, now: T0, detail: { model: "m" } }));
    expect(await hookRows(account)).toEqual([{ request_id: `${account}-in-trx`, tokens: 40, model: "m" }]);
    expect((await getBalance(getDb(), account, T0)).total).toBe(60);
    await expectConsistent();
  });
});
