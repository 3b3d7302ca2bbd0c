// `npm run bench:ledger`: usage debits per second on one hot account and spread over 10,000
// accounts, on a fresh SQLite file (or BENCH_DATABASE_URL=postgres://… for PostgreSQL), with the
// ledger invariant checked afterwards. Baseline in the same run: a bare single-row UPDATE loop.
// Two ways of calling: one debit at a time (each awaited before the next: latency-bound), and
// BENCH_IN_FLIGHT (64) at once like a gateway serving concurrent requests, where debits arriving
// together share a commit. The JSON holds the concurrent figures; both are printed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { creditAccount, debitUsage, verifyLedger } from "~/domain/ledger.server";
import { ledgerFastPath } from "~/domain/ledger/sqlite-fast-path.server";
import { createDatabase, dialectOf, sqliteHandleOf, type Db } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";

const ACCOUNTS = 10_000;
const DEBITS = Number(process.env.BENCH_DEBITS ?? 50_000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);
const resultsFile = join(dirname(fileURLToPath(import.meta.url)), "results", "ledger.json");

async function setUp(): Promise<{ db: Db; cleanup: () => Promise<void>; label: string }> {
  const url = process.env.BENCH_DATABASE_URL;
  if (url) {
    const pg = (await import("pg")).default;
    const name = `ferry_bench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const dbUrl = new URL(url);
    dbUrl.pathname = `/${name}`;
    const db = createDatabase(dbUrl.toString());
    return {
      db,
      label: "PostgreSQL",
      cleanup: async () => {
        await db.destroy();
        // pool.end() resolves before its sockets close; wait for them so FORCE interrupts nobody.
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const { rows } = await admin.query("select count(*)::int as n from pg_stat_activity where datname = $1", [name]);
          if (rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "ferry-bench-"));
  const db = createDatabase(join(dir, "bench.sqlite"));
  return { db, label: "SQLite (WAL, synchronous=NORMAL)", cleanup: async () => { await db.destroy(); rmSync(dir, { recursive: true, force: true }); } };
}

async function createAccounts(db: Db, count: number, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `usr_${prefix}${String(i).padStart(6, "0")}`);
  const at = new Date().toISOString();
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .insertInto("users")
      .values(ids.slice(i, i + 500).map((id) => ({ id, email: `${id}@bench.test`, password_hash: "x", email_verified_at: at, role: "developer" as const, locale: "en", disabled_at: null, password_changed_at: at, created_at: at, updated_at: at })))
      .execute();
  }
  return ids;
}

async function fund(db: Db, accountId: string, promo: number, paid: number) {
  const expiresAt = new Date(Date.now() + 365 * 86_400_000).toISOString();
  await creditAccount(db, { accountId, kind: "grant", bucket: "promo", tokens: promo, idempotencyKey: `bench-grant:${accountId}`, referenceType: "bench", referenceId: accountId, expiresAt });
  await creditAccount(db, { accountId, kind: "purchase", bucket: "paid", tokens: paid, idempotencyKey: `bench-paid:${accountId}`, referenceType: "bench", referenceId: accountId });
}

/** Runs `step` for 0..count-1 with `inFlight` calls outstanding at any time; returns calls per second. */
async function timed(count: number, step: (i: number) => Promise<unknown> | unknown, inFlight = 1): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < count) await step(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return Math.round(count / seconds);
}

const { db, cleanup, label } = await setUp();
try {
  await migrateToLatest(db);
  const [hot] = await createAccounts(db, 1, "hot");
  const spread = await createAccounts(db, ACCOUNTS, "spread");
  // The hot account's promo runs out half-way, so the run covers promo, the promo→paid split and paid.
  await fund(db, hot!, DEBITS * 10 / 2, DEBITS * 10);
  for (const account of spread) await fund(db, account, 1_000, 1_000);

  // Warm-up (statement caches, JIT), not counted.
  for (let i = 0; i < 2_000; i += 1) await debitUsage(db, { accountId: spread[i % ACCOUNTS]!, requestId: `warm-${i}`, tokens: 1 });

  let seed = 42;
  const nextAccount = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return spread[seed % ACCOUNTS]!;
  };
  const hotSequential = await timed(DEBITS, (i) => debitUsage(db, { accountId: hot!, requestId: `hot-seq-${i}`, tokens: 5 }));
  const hotRate = await timed(DEBITS, (i) => debitUsage(db, { accountId: hot!, requestId: `hot-${i}`, tokens: 5 }), IN_FLIGHT);
  const spreadSequential = await timed(DEBITS, (i) => debitUsage(db, { accountId: nextAccount(), requestId: `spread-seq-${i}`, tokens: 1 }));
  const spreadRate = await timed(DEBITS, (i) => debitUsage(db, { accountId: nextAccount(), requestId: `spread-${i}`, tokens: 1 }), IN_FLIGHT);

  // Same debits through the portable Kysely path (what PostgreSQL runs), for comparison.
  let portableRate: number | null = null;
  if (dialectOf(db) === "sqlite") {
    ledgerFastPath.enabled = false;
    portableRate = await timed(Math.min(DEBITS, 10_000), (i) => debitUsage(db, { accountId: nextAccount(), requestId: `portable-${i}`, tokens: 1 }));
    ledgerFastPath.enabled = true;
  }

  // Baselines: one bare single-row UPDATE per iteration (autocommit) on the same database.
  const baselineKysely = await timed(DEBITS, (i) =>
    db.updateTable("account_balances").set({ updated_at: sql<string>`updated_at` }).where("account_id", "=", spread[i % ACCOUNTS]!).execute(),
  );
  const raw = sqliteHandleOf(db);
  let baselineRaw: number | null = null;
  if (raw) {
    const update = raw.prepare("update account_balances set updated_at = updated_at where account_id = ?");
    baselineRaw = await timed(DEBITS, (i) => update.run(spread[i % ACCOUNTS]!));
  }

  const verification = await verifyLedger(db);
  const debitRows = await db.selectFrom("ledger_debits").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  const invariantOk = verification.ok && Number(debitRows.n) === 2_000 + DEBITS * 4 + (portableRate === null ? 0 : Math.min(DEBITS, 10_000));

  const result = { debits_per_s_hot: hotRate, debits_per_s_spread: spreadRate, invariant_ok: invariantOk };
  mkdirSync(dirname(resultsFile), { recursive: true });
  if (!process.env.BENCH_DATABASE_URL) writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);

  const fmt = (n: number | null) => (n === null ? "n/a" : n.toLocaleString("en-US"));
  console.log(`ledger benchmark on ${label}, ${fmt(DEBITS)} sequential debits per run, ${fmt(ACCOUNTS)} spread accounts`);
  console.log(`  hot account:              ${fmt(hotRate)} debits/s with ${IN_FLIGHT} in flight, ${fmt(hotSequential)} debits/s one at a time`);
  console.log(`  spread over accounts:     ${fmt(spreadRate)} debits/s with ${IN_FLIGHT} in flight, ${fmt(spreadSequential)} debits/s one at a time`);
  if (portableRate !== null) console.log(`  portable (Kysely) path:   ${fmt(portableRate)} debits/s (spread)`);
  const ratios = (baseline: number) =>
    `hot ÷ baseline = ${(hotRate / baseline).toFixed(2)} (one at a time ${(hotSequential / baseline).toFixed(2)}), spread ÷ baseline = ${(spreadRate / baseline).toFixed(2)} (one at a time ${(spreadSequential / baseline).toFixed(2)})`;
  console.log(`  baseline: bare one-row UPDATE, one autocommit each`);
  console.log(`    through Kysely:         ${fmt(baselineKysely)} updates/s → ${ratios(baselineKysely)}`);
  if (baselineRaw !== null) console.log(`    prepared statement:     ${fmt(baselineRaw)} updates/s → ${ratios(baselineRaw)}`);
  console.log(`  invariant: ${invariantOk ? "OK" : "BROKEN"} (${fmt(verification.entries)} entries, ${fmt(verification.accounts)} accounts, ${verification.mismatches.length} mismatches)`);
  const verdict = (rate: number) => (rate >= 20_000 ? "met" : "missed");
  console.log(`  goal ≥ 20,000 debits/s${raw ? "" : " (set for SQLite)"}: hot ${verdict(hotRate)}, spread ${verdict(spreadRate)}`);
  if (!process.env.BENCH_DATABASE_URL) console.log(`  written to ${resultsFile}`);
  if (!invariantOk) process.exitCode = 1;
} finally {
  await cleanup();
}
