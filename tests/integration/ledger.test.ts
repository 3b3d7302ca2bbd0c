// Ledger invariants on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL): the cache
// equals the sum of entries, nothing goes negative, promo is spent soonest-expiry first, expiry is
// exact at the boundary, every write is idempotent, and concurrent writers cannot overspend.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  creditAccount,
  debitUsage,
  expirePromoCredit,
  getBalance,
  LedgerConflictError,
  LedgerInputError,
  listEntries,
  reverseCredit,
  verifyLedger,
} from "~/domain/ledger.server";
import { ledgerFastPath } from "~/domain/ledger/sqlite-fast-path.server";
import { getDb } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { insertLedgerAccount } from "./helpers";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);
const iso = (date: Date) => date.toISOString();

const newAccount = () => insertLedgerAccount();

function grant(accountId: string, tokens: number, expiresAt: Date, key = newId("key")) {
  return creditAccount(getDb(), {
    accountId,
    kind: "grant",
    bucket: "promo",
    tokens,
    idempotencyKey: key,
    referenceType: "claim",
    referenceId: key,
    expiresAt: iso(expiresAt),
    now: T0,
  });
}

function purchase(accountId: string, tokens: number, key = newId("key")) {
  return creditAccount(getDb(), { accountId, kind: "purchase", bucket: "paid", tokens, idempotencyKey: key, referenceType: "purchase", referenceId: key, now: T0 });
}

function use(accountId: string, tokens: number, now = T0, requestId = newId("req")) {
  return debitUsage(getDb(), { accountId, requestId, tokens, now });
}

async function expectConsistent() {
  const verification = await verifyLedger(getDb());
  expect(verification.mismatches).toEqual([]);
  expect(verification.ok).toBe(true);
}

describe("credits", () => {
  it("credits promo and paid buckets and keeps the cache equal to the sum", async () => {
    const account = await newAccount();
    await grant(account, 1_000, days(30));
    await purchase(account, 500);
    const balance = await getBalance(getDb(), account, T0);
    expect(balance).toMatchObject({ total: 1_500, promo: 1_000, paid: 500 });
    expect(balance.promoGrants).toEqual([{ entryId: expect.any(String), remaining: 1_000, expiresAt: iso(days(30)) }]);
    await expectConsistent();
  });

  it("is idempotent per key and refuses the same key with different numbers", async () => {
    const account = await newAccount();
    const first = await grant(account, 1_000, days(30), "claim:idem-1");
    const again = await grant(account, 1_000, days(30), "claim:idem-1");
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ entryId: first.entryId, duplicate: true });
    await expect(grant(account, 1_001, days(30), "claim:idem-1")).rejects.toBeInstanceOf(LedgerConflictError);
    await expect(grant(account, 1_000, days(31), "claim:idem-1")).rejects.toBeInstanceOf(LedgerConflictError);
    const other = await newAccount();
    await expect(grant(other, 1_000, days(30), "claim:idem-1")).rejects.toBeInstanceOf(LedgerConflictError);
    expect((await getBalance(getDb(), account, T0)).total).toBe(1_000);
    expect((await getBalance(getDb(), other, T0)).total).toBe(0);
    await expectConsistent();
  });

  it("refuses bad input and changes nothing", async () => {
    const account = await newAccount();
    const base = { accountId: account, kind: "grant" as const, bucket: "promo" as const, idempotencyKey: "bad-1", referenceType: "claim", referenceId: "c", now: T0 };
    for (const input of [
      { ...base, tokens: 0, expiresAt: iso(days(1)) },
      { ...base, tokens: -5, expiresAt: iso(days(1)) },
      { ...base, tokens: 1.5, expiresAt: iso(days(1)) },
      { ...base, tokens: 10 },
      { ...base, tokens: 10, expiresAt: "not a date" },
      { ...base, tokens: 10, expiresAt: iso(T0) },
      { ...base, bucket: "paid" as const, tokens: 10, expiresAt: iso(days(1)) },
      { ...base, tokens: 10, expiresAt: iso(days(1)), idempotencyKey: "" },
    ]) {
      await expect(creditAccount(getDb(), input)).rejects.toBeInstanceOf(LedgerInputError);
    }
    await expect(debitUsage(getDb(), { accountId: account, requestId: "r", tokens: -1 })).rejects.toBeInstanceOf(LedgerInputError);
    await expect(debitUsage(getDb(), { accountId: account, requestId: "", tokens: 1 })).rejects.toBeInstanceOf(LedgerInputError);
    // `#` is reserved for the keys of a split debit's later entries (`claim:1#2`).
    await expect(creditAccount(getDb(), { ...base, tokens: 10, expiresAt: iso(days(1)), idempotencyKey: "claim:1#2" })).rejects.toBeInstanceOf(LedgerInputError);
    const entries = await getDb().selectFrom("ledger_entries").select("id").where("account_id", "=", account).execute();
    expect(entries).toEqual([]);
    await expectConsistent();
  });

  it("keeps ledger entries append-only in the database itself", async () => {
    const account = await newAccount();
    const { entryId } = await purchase(account, 10);
    await expect(getDb().updateTable("ledger_entries").set({ amount: 1_000_000 }).where("id", "=", entryId).execute()).rejects.toThrow(/append-only/);
    await expect(getDb().deleteFrom("ledger_entries").where("id", "=", entryId).execute()).rejects.toThrow(/append-only/);
    expect((await getBalance(getDb(), account, T0)).paid).toBe(10);
  });
});

describe("request ids that look like entry keys", () => {
  it("keep a split debit's parts and another request apart", async () => {
    const account = await newAccount();
    await grant(account, 5, days(10));
    await purchase(account, 100);
    const split = await use(account, 10, T0, `${account}-x`); // promo 5 + paid 5: keys usage:<id>-x and usage:<id>-x#2
    const lookalike = await use(account, 3, T0, `${account}-x#2`);
    const percent = await use(account, 4, T0, `${account}-x%232`);
    expect([split.duplicate, lookalike.duplicate, percent.duplicate]).toEqual([false, false, false]);
    expect((await getBalance(getDb(), account, T0)).total).toBe(105 - 17);
    await expectConsistent();
  });
});

describe("reversing entries", () => {
  it("takes paid credit back without going negative and reports what it could not reverse", async () => {
    const account = await newAccount();
    await purchase(account, 100, "purchase:rev-1");
    await use(account, 70);
    const input = { accountId: account, idempotencyKey: "refund:rev-1", tokens: 100, bucket: "paid" as const, referenceType: "purchase", referenceId: "rev-1", note: "refund", now: T0 };
    const reversal = await reverseCredit(getDb(), input);
    expect(reversal).toEqual({ reversed: 30, unreversed: 70, balanceAfter: 0, duplicate: false });
    expect(await reverseCredit(getDb(), input)).toEqual({ ...reversal, duplicate: true });
    await expect(reverseCredit(getDb(), { ...input, tokens: 99 })).rejects.toBeInstanceOf(LedgerConflictError);
    await expect(reverseCredit(getDb(), { ...input, idempotencyKey: "purchase:rev-1" })).rejects.toBeInstanceOf(LedgerConflictError);
    const { entries } = await listEntries(getDb(), account);
    expect(entries.filter((e) => e.kind === "adjustment")).toEqual([expect.objectContaining({ bucket: "paid", amount: -30, note: "refund" })]);
    expect(entries.map((e) => e.kind)).toEqual(["adjustment", "usage", "purchase"]); // same instant: creation order
    await expectConsistent();
  });

  it("takes promo credit back from one named grant", async () => {
    const account = await newAccount();
    const a = await grant(account, 100, days(10));
    const b = await grant(account, 100, days(20));
    const result = await reverseCredit(getDb(), { accountId: account, idempotencyKey: "fix:1", tokens: 40, bucket: "promo", grantEntryId: b.entryId, referenceType: "claim", referenceId: "c1", now: T0 });
    expect(result).toEqual({ reversed: 40, unreversed: 0, balanceAfter: 160, duplicate: false });
    const balance = await getBalance(getDb(), account, T0);
    expect(balance.promoGrants.map((g) => [g.entryId, g.remaining])).toEqual([
      [a.entryId, 100],
      [b.entryId, 60],
    ]);
    await expectConsistent();
  });
});

describe("expiry", () => {
  it("posts one expiry entry per expired grant for what is left, exactly at the boundary, once", async () => {
    const account = await newAccount();
    const a = await grant(account, 100, days(10));
    const b = await grant(account, 200, days(20));
    await use(account, 30, days(1)); // from a: 70 left
    await expirePromoCredit(getDb(), new Date(days(10).getTime() - 1)); // other tests' grants may expire here
    const expiryEntries = () => getDb().selectFrom("ledger_entries").selectAll().where("account_id", "=", account).where("kind", "=", "expiry").execute();
    expect(await expiryEntries()).toEqual([]);

    const atBoundary = await expirePromoCredit(getDb(), days(10));
    expect(atBoundary.expiredGrants).toBeGreaterThanOrEqual(1);
    const mine = await expiryEntries();
    expect(mine.map((e) => [e.grant_entry_id, Number(e.amount), e.idempotency_key])).toEqual([[a.entryId, -70, `expiry:${a.entryId}`]]);

    const again = await expirePromoCredit(getDb(), days(10));
    expect(again).toEqual({ expiredGrants: 0, tokens: 0 });
    const balance = await getBalance(getDb(), account, days(10));
    expect(balance).toMatchObject({ promo: 200, total: 200 });
    expect(balance.promoGrants.map((g) => g.entryId)).toEqual([b.entryId]);
    await expectConsistent();
  });

  it("is safe when two runs race", async () => {
    const accounts = await Promise.all(Array.from({ length: 5 }, () => newAccount()));
    for (const account of accounts) {
      await grant(account, 1_000, days(40));
      await grant(account, 10, days(41));
    }
    const runs = await Promise.all([expirePromoCredit(getDb(), days(42)), expirePromoCredit(getDb(), days(42)), expirePromoCredit(getDb(), days(42))]);
    const posted = await getDb()
      .selectFrom("ledger_entries")
      .select(["grant_entry_id", "amount"])
      .where("kind", "=", "expiry")
      .where("account_id", "in", accounts)
      .execute();
    expect(posted).toHaveLength(10);
    expect(posted.reduce((sum, row) => sum + Number(row.amount), 0)).toBe(-5_050);
    expect(runs.reduce((sum, run) => sum + run.tokens, 0)).toBeGreaterThanOrEqual(5_050);
    for (const account of accounts) expect((await getBalance(getDb(), account, days(42))).total).toBe(0);
    await expectConsistent();
  });
});

// On SQLite the usage debit has a prepared-statement fast path; run its tests on both paths.
for (const fastPath of [true, false]) {
  describe(`debit path: ${fastPath ? "default" : "portable (Kysely)"}`, () => {
    const tag = fastPath ? "fast" : "portable";
    beforeAll(() => {
      ledgerFastPath.enabled = fastPath;
    });
    afterAll(() => {
      ledgerFastPath.enabled = true;
    });

  describe("usage debits", () => {
    it("spends promo that expires soonest first, skips expired grants, then paid", async () => {
      const account = await newAccount();
      const late = await grant(account, 100, days(60));
      const soon = await grant(account, 50, days(10));
      const expired = await grant(account, 70, days(5));
      await purchase(account, 1_000);

      const at = days(5); // exactly at the expiry of `expired`: no longer spendable
      const first = await use(account, 30, at);
      expect(first).toEqual({ debited: 30, shortfall: 0, balanceAfter: 1_120, duplicate: false });
      const afterFirst = await getBalance(getDb(), account, at);
      expect(afterFirst.promoGrants.map((g) => [g.entryId, g.remaining])).toEqual([
        [soon.entryId, 20],
        [late.entryId, 100],
      ]);

      const second = await use(account, 150, at);
      expect(second).toMatchObject({ debited: 150, shortfall: 0, balanceAfter: 970 });
      const afterSecond = await getBalance(getDb(), account, at);
      expect(afterSecond).toMatchObject({ promo: 0, paid: 970, total: 970 });

      // The split is visible in the entries: one row per source, each naming the grant it consumed.
      const { entries } = await listEntries(getDb(), account, { limit: 10 });
      const usage = entries.filter((e) => e.kind === "usage");
      expect(usage.map((e) => [e.bucket, e.amount, e.grantEntryId])).toEqual(
        expect.arrayContaining([
          ["promo", -30, soon.entryId],
          ["promo", -20, soon.entryId],
          ["promo", -100, late.entryId],
          ["paid", -30, null],
        ]),
      );
      expect(usage.some((e) => e.grantEntryId === expired.entryId)).toBe(false);
      await expectConsistent();
    });

    it("treats a grant as spendable until one millisecond before its expiry", async () => {
      const account = await newAccount();
      await grant(account, 100, days(10));
      expect((await getBalance(getDb(), account, new Date(days(10).getTime() - 1))).total).toBe(100);
      expect((await getBalance(getDb(), account, days(10))).total).toBe(0);
      expect(await use(account, 40, new Date(days(10).getTime() - 1))).toMatchObject({ debited: 40, shortfall: 0, balanceAfter: 60 });
      expect(await use(account, 40, days(10))).toMatchObject({ debited: 0, shortfall: 40, balanceAfter: 0 });
      await expectConsistent();
    });

    it("never goes below zero: takes what is left and reports the shortfall", async () => {
      const account = await newAccount();
      await purchase(account, 100);
      expect(await use(account, 60)).toEqual({ debited: 60, shortfall: 0, balanceAfter: 40, duplicate: false });
      expect(await use(account, 60)).toEqual({ debited: 40, shortfall: 20, balanceAfter: 0, duplicate: false });
      expect(await use(account, 5)).toEqual({ debited: 0, shortfall: 5, balanceAfter: 0, duplicate: false });
      const stranger = await newAccount();
      expect(await use(stranger, 5)).toEqual({ debited: 0, shortfall: 5, balanceAfter: 0, duplicate: false });
      expect(await use(stranger, 0)).toEqual({ debited: 0, shortfall: 0, balanceAfter: 0, duplicate: false });
      await expectConsistent();
    });

    it("is idempotent per request id: a replay returns the first result, a different one throws", async () => {
      const account = await newAccount();
      await purchase(account, 100);
      const first = await use(account, 70, T0, `${tag}-replay-1`);
      await purchase(account, 1_000); // the balance moved, the replay still answers as the first time
      const replay = await use(account, 70, T0, `${tag}-replay-1`);
      expect(replay).toEqual({ ...first, duplicate: true });
      await expect(use(account, 71, T0, `${tag}-replay-1`)).rejects.toBeInstanceOf(LedgerConflictError);
      const other = await newAccount();
      await expect(use(other, 70, T0, `${tag}-replay-1`)).rejects.toBeInstanceOf(LedgerConflictError);
      // A shortfall is remembered too: a later top-up does not turn the replay into a charge.
      const short = await use(other, 10, T0, `${tag}-replay-2`);
      await purchase(other, 100);
      expect(await use(other, 10, T0, `${tag}-replay-2`)).toEqual({ ...short, duplicate: true });
      expect((await getBalance(getDb(), account, T0)).total).toBe(1_030);
      expect((await getBalance(getDb(), other, T0)).total).toBe(100);
      await expectConsistent();
    });
  });

  describe("concurrency", () => {
    it("two debits of 60 against 100: exactly one succeeds in full", async () => {
      const account = await newAccount();
      await purchase(account, 100);
      const results = await Promise.all([use(account, 60), use(account, 60)]);
      expect(results.filter((r) => r.shortfall === 0)).toHaveLength(1);
      expect(results.map((r) => r.debited).sort()).toEqual([40, 60]);
      expect((await getBalance(getDb(), account, T0)).total).toBe(0);
      await expectConsistent();
    });

    it("many concurrent debits, credits and replays keep every invariant", async () => {
      const accounts = await Promise.all(Array.from({ length: 3 }, () => newAccount()));
      for (const account of accounts) {
        await grant(account, 500, days(10));
        await grant(account, 300, days(5));
        await purchase(account, 200);
      }
      const work: Array<Promise<unknown>> = [];
      for (let i = 0; i < 150; i += 1) {
        const account = accounts[i % accounts.length]!;
        work.push(use(account, 7 + (i % 5), days(1), `${tag}-c-${i}`));
        if (i % 10 === 0) work.push(use(account, 7 + (i % 5), days(1), `${tag}-c-${i}`)); // concurrent replay
        if (i % 25 === 0) work.push(purchase(account, 13, `${tag}-buy-${i}`));
        if (i % 25 === 0) work.push(purchase(account, 13, `${tag}-buy-${i}`));
      }
      await Promise.all(work);
      for (const account of accounts) {
        const sum = await getDb()
          .selectFrom("ledger_entries")
          .select((eb) => eb.fn.sum<number>("amount").as("total"))
          .where("account_id", "=", account)
          .executeTakeFirstOrThrow();
        const balance = await getBalance(getDb(), account, days(1));
        expect(balance.total).toBe(Number(sum.total));
        expect(balance.total).toBeGreaterThanOrEqual(0);
      }
      const debits = await getDb().selectFrom("ledger_debits").select(sql<number>`count(*)`.as("n")).where("idempotency_key", "like", `usage:${tag}-c-%`).executeTakeFirstOrThrow();
      expect(Number(debits.n)).toBe(150);
      await expectConsistent();
    });

    it("drains an account under pressure without ever overspending", async () => {
      const account = await newAccount();
      await grant(account, 250, days(3));
      await purchase(account, 250);
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => use(account, 17, days(1), `${tag}-drain-${i}`)));
      expect(results.reduce((sum, r) => sum + r.debited, 0)).toBe(500);
      expect(results.reduce((sum, r) => sum + r.shortfall, 0)).toBe(40 * 17 - 500);
      expect((await getBalance(getDb(), account, days(1))).total).toBe(0);
      await expectConsistent();
    });
  });

  });
}

describe("history and verification", () => {
  it("pages through entries newest first", async () => {
    const account = await newAccount();
    for (let i = 0; i < 7; i += 1) {
      await creditAccount(getDb(), { accountId: account, kind: "purchase", bucket: "paid", tokens: i + 1, idempotencyKey: `page-${account}-${i}`, referenceType: "purchase", referenceId: `p${i}`, now: new Date(T0.getTime() + i * 1000) });
    }
    const first = await listEntries(getDb(), account, { limit: 3 });
    expect(first.entries.map((e) => e.amount)).toEqual([7, 6, 5]);
    const second = await listEntries(getDb(), account, { limit: 3, before: first.nextCursor });
    expect(second.entries.map((e) => e.amount)).toEqual([4, 3, 2]);
    const third = await listEntries(getDb(), account, { limit: 3, before: second.nextCursor });
    expect(third.entries.map((e) => e.amount)).toEqual([1]);
    expect(third.nextCursor).toBeNull();
  });

  it("catches a cache that drifted from the entries", async () => {
    const account = await newAccount();
    await purchase(account, 100);
    await getDb().updateTable("account_balances").set({ paid: 101 }).where("account_id", "=", account).execute();
    const verification = await verifyLedger(getDb());
    expect(verification.ok).toBe(false);
    expect(verification.mismatches).toContainEqual({ type: "account_balance", accountId: account, bucket: "paid", cached: 101, sumOfEntries: 100 });
    await getDb().updateTable("account_balances").set({ paid: 100 }).where("account_id", "=", account).execute();
    await expectConsistent();
  });

  it("catches entries of an account without a balance row", async () => {
    // Every write of an entry locks the balance row first; the append-only tables do not reference
    // users on PostgreSQL, so verification is what notices a write that skipped that lock.
    const withEntry = await newAccount();
    const at = iso(T0);
    const found = await getDb()
      .transaction()
      .execute(async (trx) => {
        await trx
          .insertInto("ledger_entries")
          .values({ id: newId("led"), account_id: withEntry, kind: "purchase", bucket: "paid", amount: 5, idempotency_key: `orphan-${withEntry}`, reference_type: "purchase", reference_id: "x", expires_at: null, grant_entry_id: null, note: null, actor_id: null, created_at: at })
          .execute();
        const verification = await verifyLedger(trx);
        throw Object.assign(new Error("roll back"), { verification });
      })
      .catch((error: { verification?: Awaited<ReturnType<typeof verifyLedger>> }) => error.verification);
    expect(found?.ok).toBe(false);
    expect(found?.mismatches).toContainEqual({ type: "no_balance_row", accountId: withEntry });
    await expectConsistent();
  });
});

describe("inside a caller's transaction", () => {
  it("commits and rolls back with the caller", async () => {
    const account = await newAccount();
    await expect(
      getDb()
        .transaction()
        .execute(async (trx) => {
          await creditAccount(trx, { accountId: account, kind: "purchase", bucket: "paid", tokens: 50, idempotencyKey: `trx-${account}-1`, referenceType: "purchase", referenceId: "p1" });
          await debitUsage(trx, { accountId: account, requestId: `trx-${account}-r1`, tokens: 20 });
          throw new Error("caller fails");
        }),
    ).rejects.toThrow("caller fails");
    expect((await getBalance(getDb(), account)).total).toBe(0);
    await getDb()
      .transaction()
      .execute(async (trx) => {
        await creditAccount(trx, { accountId: account, kind: "purchase", bucket: "paid", tokens: 50, idempotencyKey: `trx-${account}-1`, referenceType: "purchase", referenceId: "p1" });
        await debitUsage(trx, { accountId: account, requestId: `trx-${account}-r1`, tokens: 20 });
      });
    expect((await getBalance(getDb(), account)).total).toBe(30);
    await expectConsistent();
  });
});

describe("debits that arrive together", () => {
  it("commit together, but a failing one rolls back only itself", async () => {
    const account = await newAccount();
    await purchase(account, 100);
    const results = await Promise.allSettled([
      use(account, 10, T0, `group-${account}-1`),
      debitUsage(getDb(), { accountId: "usr_does_not_exist", requestId: `group-${account}-bad`, tokens: 5, now: T0 }),
      use(account, 10, T0, `group-${account}-2`),
      use(account, 10, T0, `group-${account}-1`), // replay inside the same group
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const sameRequest = [results[0], results[3]].map((r) => (r as PromiseFulfilledResult<{ debited: number; duplicate: boolean }>).value);
    expect(sameRequest.map((r) => r.debited)).toEqual([10, 10]);
    expect(sameRequest.filter((r) => r.duplicate)).toHaveLength(1); // whichever ran second (PostgreSQL runs them in parallel)
    expect((await getBalance(getDb(), account, T0)).total).toBe(80);
    const orphan = await getDb().selectFrom("ledger_debits").select("idempotency_key").where("idempotency_key", "=", `usage:group-${account}-bad`).execute();
    expect(orphan).toEqual([]);
    await expectConsistent();
  });
});

describe("a debit while another transaction holds the connection", () => {
  it("waits for it instead of writing inside it", async () => {
    const account = await newAccount();
    await purchase(account, 100);
    let debit: Promise<unknown> | undefined;
    await expect(
      getDb()
        .transaction()
        .execute(async (trx) => {
          await creditAccount(trx, { accountId: account, kind: "purchase", bucket: "paid", tokens: 1_000, idempotencyKey: `held-${account}`, referenceType: "purchase", referenceId: "held" });
          debit = use(account, 30, T0, `held-${account}-r1`);
          // Yield to the event loop (where SQLite debits are flushed) while this transaction is open.
          await new Promise((resolve) => setImmediate(resolve));
          throw new Error("roll back the held transaction");
        }),
    ).rejects.toThrow("roll back");
    // The debit did not land inside the rolled-back transaction: it saw only the first purchase.
    await expect(debit).resolves.toMatchObject({ debited: 30, shortfall: 0, balanceAfter: 70 });
    expect((await getBalance(getDb(), account, T0)).total).toBe(70);
    await expectConsistent();
  });
});
