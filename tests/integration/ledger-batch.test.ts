// The batch pieces of the usage debit at cluster scale (issue #14): the key counters' batch writer
// (one upsert per key per batch, the same counters as one by one) on both databases, and, on
// PostgreSQL, one call of `ledger_debit_usage_batch` (migration 0023) with the hard cases in one
// batch — accounts interleaved, a promo-then-paid split, a shortfall, an unknown account, a key
// repeated after an unknown account's debit, replays inside the batch — answering as one by one.
import { afterAll, describe, expect, it } from "vitest";
import { keyTokenCounter, type KeyTokens } from "~/domain/key-limits/counters.server";
import { windowsAt } from "~/domain/key-limits/limits";
import { creditAccount, debitUsage, getBalance, usageKey, USAGE_REFERENCE_TYPE, verifyLedger } from "~/domain/ledger.server";
import { combineStatements } from "~/domain/ledger/debit-hooks.server";
import type { DebitOperation } from "~/domain/ledger/plan";
import { postgresBatcherFor, postgresBatching, runDebitBatch } from "~/domain/ledger/postgres-batch.server";
import { getDb } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { insertLedgerAccount } from "./helpers";
import { createKeyRowFor } from "./support-fixtures";

const T0 = new Date("2030-03-01T00:00:30.000Z");
const T1 = new Date(T0.getTime() + 60_000);
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

const newAccount = () => insertLedgerAccount("batch.test");

async function counters(keyId: string) {
  const row = await getDb().selectFrom("api_key_counters").selectAll().where("key_id", "=", keyId).executeTakeFirstOrThrow();
  return { minuteStart: row.minute_start, minute: Number(row.minute_tokens), day: Number(row.day_tokens), month: Number(row.month_tokens) };
}

afterAll(async () => {
  expect((await verifyLedger(getDb())).mismatches).toEqual([]);
});

describe("key counters as a batch writer", () => {
  it("adds a batch's tokens with one upsert per key, the same counters as one statement per debit", async () => {
    const account = await newAccount();
    const [batched, other, oneByOne] = await Promise.all([createKeyRowFor(account), createKeyRowFor(account), createKeyRowFor(account)]);
    const item = (keyId: string, tokens: number, now: Date): KeyTokens => ({ keyId, tokens, windows: windowsAt(now), now: now.toISOString() });
    const sameMinute = [item(batched!, 5, T0), item(other!, 7, T0), item(batched!, 11, T0)];
    const statements = keyTokenCounter.statements(getDb(), sameMinute);
    expect(statements).toHaveLength(1);
    // Run together with another table's write, as a PostgreSQL batch does.
    for (const statement of statements) await getDb().executeQuery(statement);
    expect(await counters(batched!)).toEqual({ minuteStart: windowsAt(T0).minute, minute: 16, day: 16, month: 16 });
    expect(await counters(other!)).toEqual({ minuteStart: windowsAt(T0).minute, minute: 7, day: 7, month: 7 });

    // A batch across a minute change: the later minute in a second statement, as one by one.
    const acrossMinutes = [item(batched!, 3, T1), item(batched!, 2, T0), item(oneByOne!, 3, T1), item(oneByOne!, 2, T0)];
    const split = keyTokenCounter.statements(getDb(), acrossMinutes.filter((entry) => entry.keyId === batched));
    expect(split).toHaveLength(2);
    for (const statement of split) await getDb().executeQuery(statement);
    for (const entry of [...sameMinute.filter((e) => e.keyId === batched).map((e) => ({ ...e, keyId: oneByOne! })), ...acrossMinutes.filter((e) => e.keyId === oneByOne).sort((a, b) => (a.now < b.now ? -1 : 1))]) {
      for (const statement of keyTokenCounter.statements(getDb(), [entry])) await getDb().executeQuery(statement);
    }
    expect(await counters(batched!)).toEqual({ minuteStart: windowsAt(T1).minute, minute: 3, day: 21, month: 21 });
    expect(await counters(oneByOne!)).toEqual(await counters(batched!));
  });

  it("combines statements on different tables into one, parameters renumbered", async () => {
    const account = await newAccount();
    const [first, second] = await Promise.all([createKeyRowFor(account), createKeyRowFor(account)]);
    const [a] = keyTokenCounter.statements(getDb(), [{ keyId: first!, tokens: 4, windows: windowsAt(T0), now: T0.toISOString() }]);
    const [b] = keyTokenCounter.statements(getDb(), [{ keyId: second!, tokens: 9, windows: windowsAt(T0), now: T0.toISOString() }]);
    if (!onPostgres) return; // WITH … INSERT is PostgreSQL's; SQLite never combines.
    await getDb().executeQuery(combineStatements([a!, b!]));
    expect((await counters(first!)).day).toBe(4);
    expect((await counters(second!)).day).toBe(9);
  });
});

describe.runIf(onPostgres)("ledger_debit_usage_batch on PostgreSQL", () => {
  function operation(accountId: string, requestId: string, tokens: number): DebitOperation {
    return { key: usageKey(requestId), accountId, kind: "usage", bucket: null, requested: tokens, referenceType: USAGE_REFERENCE_TYPE, referenceId: requestId, note: null, actorId: null, at: T0.toISOString() };
  }

  it("answers a mixed batch as debits one by one would, and a second call as replays", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    const ghost = newId("usr");
    const expiresAt = new Date(T0.getTime() + 86_400_000).toISOString();
    await creditAccount(getDb(), { accountId: a, kind: "grant", bucket: "promo", tokens: 6, idempotencyKey: `grant:${a}`, referenceType: "test", referenceId: a, expiresAt, now: T0 });
    await creditAccount(getDb(), { accountId: a, kind: "purchase", bucket: "paid", tokens: 10, idempotencyKey: `buy:${a}`, referenceType: "test", referenceId: a, now: T0 });
    await creditAccount(getDb(), { accountId: b, kind: "purchase", bucket: "paid", tokens: 2, idempotencyKey: `buy:${b}`, referenceType: "test", referenceId: b, now: T0 });
    const tag = newId("req");
    const batch = [
      operation(a, `${tag}-1`, 5),
      operation(b, `${tag}-2`, 3),
      operation(a, `${tag}-3`, 4),
      operation(ghost, `${tag}-4`, 1),
      operation(ghost, `${tag}-5`, 1),
      operation(a, `${tag}-5`, 2),
      operation(b, `${tag}-2`, 3),
      operation(a, `${tag}-1`, 5),
    ];
    const outcomes = await runDebitBatch(getDb(), batch);
    expect(outcomes).toEqual([
      { kind: "done", debited: 5, shortfall: 0, balanceAfter: 11 },
      { kind: "done", debited: 2, shortfall: 1, balanceAfter: 0 },
      { kind: "done", debited: 4, shortfall: 0, balanceAfter: 7 },
      { kind: "unknown_account" },
      { kind: "unknown_account" },
      { kind: "done", debited: 2, shortfall: 0, balanceAfter: 5 },
      { kind: "replay", existing: expect.objectContaining({ account_id: b, requested: 3, debited: 2, shortfall: 1, balance_after: 0 }) },
      { kind: "replay", existing: expect.objectContaining({ account_id: a, requested: 5, debited: 5, shortfall: 0, balance_after: 11 }) },
    ]);
    // Promo first (6: 5, then 1 of the 4), then paid (3, then 2).
    const balance = await getBalance(getDb(), a, T0);
    expect({ promo: balance.promo, paid: balance.paid }).toEqual({ promo: 0, paid: 5 });
    expect((await getBalance(getDb(), b, T0)).total).toBe(0);
    const entries = await getDb().selectFrom("ledger_entries").select(["bucket", "amount", "idempotency_key"]).where("reference_id", "like", `${tag}-%`).execute();
    const sorted = entries.map((e) => [e.idempotency_key, e.bucket, Number(e.amount)] as const).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    expect(sorted).toEqual([
      [usageKey(`${tag}-1`), "promo", -5],
      [usageKey(`${tag}-2`), "paid", -2],
      [usageKey(`${tag}-3`), "promo", -1],
      [`${usageKey(`${tag}-3`)}#2`, "paid", -3],
      [usageKey(`${tag}-5`), "paid", -2],
    ]);

    const again = await runDebitBatch(getDb(), [...batch].reverse());
    expect(again.map((outcome) => outcome.kind)).toEqual(["replay", "replay", "replay", "unknown_account", "unknown_account", "replay", "replay", "replay"]);
    // Through the public function too: a replay answers the first result.
    expect(await debitUsage(getDb(), { accountId: a, requestId: `${tag}-3`, tokens: 4, now: T0 })).toEqual({ debited: 4, shortfall: 0, balanceAfter: 7, duplicate: true });
    expect((await verifyLedger(getDb())).mismatches).toEqual([]);
  });

  it("shares a long queue among batch slots by account, each batch bounded, every debit answered once", async () => {
    const saved = { ...postgresBatching };
    Object.assign(postgresBatching, { maxBatch: 8, maxInFlight: 3, splitAt: 4 });
    try {
      const hot = await newAccount();
      const others = [await newAccount(), await newAccount(), await newAccount()];
      for (const account of [hot, ...others]) {
        await creditAccount(getDb(), { accountId: account, kind: "purchase", bucket: "paid", tokens: 100, idempotencyKey: `buy:${account}`, referenceType: "test", referenceId: account, now: T0 });
      }
      const batcher = postgresBatcherFor(getDb());
      batcher.resetStats();
      const tag = newId("req");
      // 40 on the hot account (more than it has), 10 on each other, all at once; the hot ones twice.
      const reports = [
        ...Array.from({ length: 40 }, (_, i) => ({ accountId: hot, requestId: `${tag}-hot-${i}`, tokens: 3 })),
        ...others.flatMap((accountId, n) => Array.from({ length: 10 }, (_, i) => ({ accountId, requestId: `${tag}-${n}-${i}`, tokens: 2 }))),
      ];
      const answers = await Promise.all([...reports, ...reports.slice(0, 40)].map((report) => debitUsage(getDb(), { ...report, now: T0 })));
      const stats = batcher.stats();
      expect(stats.largestBatch).toBeLessThanOrEqual(8);
      expect(stats.debits).toBe(110);
      const hotAnswers = answers.slice(0, 40);
      expect(hotAnswers.reduce((sum, answer) => sum + answer.debited, 0)).toBe(100);
      expect(answers.slice(70).map((answer) => answer.debited)).toEqual(hotAnswers.map((answer) => answer.debited));
      expect(answers.slice(70).every((answer) => answer.duplicate)).toBe(true);
      for (const account of others) expect((await getBalance(getDb(), account, T0)).total).toBe(80);
      expect((await getBalance(getDb(), hot, T0)).total).toBe(0);
    } finally {
      Object.assign(postgresBatching, saved);
    }
  });
});
