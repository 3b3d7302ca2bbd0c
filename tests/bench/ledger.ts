// `npm run bench:ledger`: usage debits per second on one hot account and spread over 10,000
// accounts, on a fresh SQLite file and — when PostgreSQL is reachable (BENCH_DATABASE_URL, else
// TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres) — on a fresh PostgreSQL
// database, with the ledger invariant checked afterwards. Baseline in the same run: a bare
// single-row UPDATE, one autocommit each, on the same database.
// Two ways of calling: one debit at a time (each awaited before the next: latency-bound), and
// BENCH_IN_FLIGHT (64) at once like a gateway serving concurrent requests, where debits arriving
// together share a commit. The JSON holds the concurrent figures; both are printed.
//   BENCH_ONLY=sqlite|postgres  one database     BENCH_DEBITS=50000  debits per concurrent run
//   SQLITE_CHECKPOINT_MS=500    as the server: WAL checkpoints in a worker thread (0: SQLite's own)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import pg from "pg";
import { creditAccount, debitUsage, verifyLedger } from "~/domain/ledger.server";
import { postgresBatcherFor } from "~/domain/ledger/postgres-batch.server";
import { ledgerFastPath } from "~/domain/ledger/sqlite-fast-path.server";
import { createDatabase, dialectOf, sqliteHandleOf, type Db } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";
import { DEFAULT_SQLITE_CHECKPOINT_MS, startBackgroundCheckpoints } from "~/lib/sqlite-checkpointer.server";
import { cpuMsByPid, cpuUsedBetween } from "./harness";

const ACCOUNTS = 10_000;
const DEBITS = Number(process.env.BENCH_DEBITS ?? 50_000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);
const resultsFile = join(dirname(fileURLToPath(import.meta.url)), "results", "ledger.json");

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

/**
 * CPU time per debit, which the other work on a loaded machine distorts far less than rates: this
 * process's (process.cpuUsage) and, on PostgreSQL, that of the database's server processes serving
 * the benchmark's connections (/proc/<pid>/stat, Linux, same machine only; null elsewhere).
 */
async function serverCpuMicros(db: Db): Promise<Map<number, number> | null> {
  if (dialectOf(db) !== "postgres") return new Map();
  try {
    const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(db);
    return new Map([...cpuMsByPid(rows.map((row) => row.pid))].map(([pid, ms]) => [pid, ms * 1_000]));
  } catch {
    return null;
  }
}

interface CpuPerDebit {
  node: number;
  server: number | null;
}

async function withCpu<T>(db: Db, count: number, run: () => Promise<T>): Promise<[T, CpuPerDebit]> {
  const serverBefore = await serverCpuMicros(db);
  const before = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(before);
  const serverAfter = await serverCpuMicros(db);
  const server = serverBefore === null || serverAfter === null ? null : Math.round((cpuUsedBetween(serverBefore, serverAfter) / count) * 10) / 10;
  return [result, { node: Math.round(((used.user + used.system) / count) * 10) / 10, server }];
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


interface Database {
  db: Db;
  label: string;
  cleanup: () => Promise<void>;
}

/** As the server opens it: WAL checkpoints in a worker thread every SQLITE_CHECKPOINT_MS (500 ms), 0 = SQLite's own. */
function sqliteDatabase(): Database {
  const dir = mkdtempSync(join(tmpdir(), "ferry-bench-"));
  const db = createDatabase(join(dir, "bench.sqlite"));
  const intervalMs = Number(process.env.SQLITE_CHECKPOINT_MS ?? DEFAULT_SQLITE_CHECKPOINT_MS);
  const stopCheckpoints = startBackgroundCheckpoints(sqliteHandleOf(db), intervalMs, { warn: (fields, message) => console.warn(message, fields) });
  const checkpoints = intervalMs > 0 ? `checkpoints in a worker every ${intervalMs} ms` : "SQLite's own checkpoints";
  return {
    db,
    label: `SQLite (WAL, synchronous=NORMAL, ${checkpoints})`,
    cleanup: async () => {
      await stopCheckpoints();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresDatabase(url: string): Promise<Database | null> {
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (error) {
    console.log(`PostgreSQL not reachable at ${url.replace(/\/\/[^@]*@/, "//…@")} (${(error as Error).message}): measured on SQLite only`);
    return null;
  }
  const name = `ferry_bench_${Date.now()}`;
  await admin.query(`create database ${name}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  const db = createDatabase(dbUrl.toString());
  const settings = await admin.query("select current_setting('synchronous_commit') as sc, current_setting('max_connections') as mc, version() as v");
  const row = settings.rows[0] as { sc: string; mc: string; v: string };
  return {
    db,
    label: `PostgreSQL (${row.v.split(" on ")[0]}, synchronous_commit=${row.sc}, pool of 10)`,
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

interface Figures {
  hot: number;
  hotSequential: number;
  spread: number;
  spreadSequential: number;
  portable: number | null;
  baseline: number;
  baselineInFlight: number;
  baselineRaw: number | null;
  invariantOk: boolean;
  batches: string | null;
  hotCpu: CpuPerDebit;
  spreadCpu: CpuPerDebit;
}

async function measure({ db, label }: Database): Promise<Figures> {
  const postgres = dialectOf(db) === "postgres";
  // One-at-a-time runs on PostgreSQL are latency-bound (a commit each): fewer of them.
  const sequential = postgres ? Math.min(DEBITS, 5_000) : DEBITS;
  await migrateToLatest(db);
  const [hot] = await createAccounts(db, 1, "hot");
  const spread = await createAccounts(db, ACCOUNTS, "spread");
  // The hot account's promo runs out half-way, so the run covers promo, the promo→paid split and paid.
  await fund(db, hot!, DEBITS * 10 / 2, DEBITS * 10);
  await timed(spread.length, (i) => fund(db, spread[i]!, 1_000, 1_000), postgres ? 16 : 1);

  // Warm-up (statement caches, JIT), not counted.
  await timed(2_000, (i) => debitUsage(db, { accountId: spread[i % ACCOUNTS]!, requestId: `warm-${i}`, tokens: 1 }), IN_FLIGHT);

  let seed = 42;
  const nextAccount = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return spread[seed % ACCOUNTS]!;
  };
  const batcher = postgres ? postgresBatcherFor(db) : null;
  batcher?.resetStats();
  const hotSequential = await timed(sequential, (i) => debitUsage(db, { accountId: hot!, requestId: `hot-seq-${i}`, tokens: 5 }));
  const [hotRate, hotCpu] = await withCpu(db, DEBITS, () => timed(DEBITS, (i) => debitUsage(db, { accountId: hot!, requestId: `hot-${i}`, tokens: 5 }), IN_FLIGHT));
  const spreadSequential = await timed(sequential, (i) => debitUsage(db, { accountId: nextAccount(), requestId: `spread-seq-${i}`, tokens: 1 }));
  batcher?.resetStats();
  const [spreadRate, spreadCpu] = await withCpu(db, DEBITS, () => timed(DEBITS, (i) => debitUsage(db, { accountId: nextAccount(), requestId: `spread-${i}`, tokens: 1 }), IN_FLIGHT));
  const stats = batcher?.stats();

  // Same debits through the portable Kysely path (several statements in a transaction), for comparison.
  const portableCount = Math.min(DEBITS, postgres ? 5_000 : 10_000);
  ledgerFastPath.enabled = false;
  const portableRate = await timed(portableCount, (i) => debitUsage(db, { accountId: nextAccount(), requestId: `portable-${i}`, tokens: 1 }), postgres ? IN_FLIGHT : 1);
  ledgerFastPath.enabled = true;

  // Baselines: one bare single-row UPDATE per iteration (autocommit) on the same database.
  const bareUpdate = (i: number) =>
    db.updateTable("account_balances").set({ updated_at: sql<string>`updated_at` }).where("account_id", "=", spread[i % ACCOUNTS]!).execute();
  const baseline = await timed(sequential, bareUpdate);
  const baselineInFlight = await timed(DEBITS / 5, bareUpdate, IN_FLIGHT);
  const raw = sqliteHandleOf(db);
  let baselineRaw: number | null = null;
  if (raw) {
    const update = raw.prepare("update account_balances set updated_at = updated_at where account_id = ?");
    baselineRaw = await timed(DEBITS, (i) => update.run(spread[i % ACCOUNTS]!));
  }

  const verification = await verifyLedger(db);
  const debitRows = await db.selectFrom("ledger_debits").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  const invariantOk = verification.ok && Number(debitRows.n) === 2_000 + DEBITS * 2 + sequential * 2 + portableCount;

  const fmt = (n: number | null) => (n === null ? "n/a" : n.toLocaleString("en-US"));
  console.log(`\nledger benchmark on ${label}: ${fmt(DEBITS)} debits per concurrent run, ${fmt(sequential)} one at a time, ${fmt(ACCOUNTS)} spread accounts`);
  console.log(`  hot account:              ${fmt(hotRate)} debits/s with ${IN_FLIGHT} in flight, ${fmt(hotSequential)} debits/s one at a time`);
  console.log(`  spread over accounts:     ${fmt(spreadRate)} debits/s with ${IN_FLIGHT} in flight, ${fmt(spreadSequential)} debits/s one at a time`);
  const batches = stats ? `${fmt(stats.batches)} batches, ${(stats.debits / Math.max(stats.batches, 1)).toFixed(1)} debits each on average, largest ${stats.largestBatch}, ${stats.split} split` : null;
  if (batches) console.log(`  group commit (spread run): ${batches}`);
  const cpu = (figures: CpuPerDebit) => `${figures.node} µs in Node${figures.server === null ? "" : postgres ? ` + ${figures.server} µs in PostgreSQL` : ""}`;
  console.log(`  CPU per debit (64 in flight): hot ${cpu(hotCpu)}; spread ${cpu(spreadCpu)}`);
  console.log(`  portable (Kysely) path:   ${fmt(portableRate)} debits/s (spread, ${postgres ? `${IN_FLIGHT} in flight` : "one at a time"})`);
  const ratios = (base: number) =>
    `hot ÷ baseline = ${(hotRate / base).toFixed(2)} (one at a time ${(hotSequential / base).toFixed(2)}), spread ÷ baseline = ${(spreadRate / base).toFixed(2)} (one at a time ${(spreadSequential / base).toFixed(2)})`;
  console.log(`  baseline: bare one-row UPDATE, one autocommit each`);
  console.log(`    through Kysely:         ${fmt(baseline)} updates/s one at a time → ${ratios(baseline)}`);
  console.log(`    ${IN_FLIGHT} in flight:           ${fmt(baselineInFlight)} updates/s → spread ÷ this = ${(spreadRate / baselineInFlight).toFixed(2)}`);
  if (baselineRaw !== null) console.log(`    prepared statement:     ${fmt(baselineRaw)} updates/s → ${ratios(baselineRaw)}`);
  console.log(`  invariant: ${invariantOk ? "OK" : "BROKEN"} (${fmt(verification.entries)} entries, ${fmt(verification.accounts)} accounts, ${verification.mismatches.length} mismatches)`);
  if (postgres) {
    const met = (ok: boolean) => (ok ? "met" : "missed");
    console.log(`  goals: spread ≥ 10,000/s ${met(spreadRate >= 10_000)}, spread ≥ 5× baseline ${met(spreadRate >= 5 * baseline)}, hot ≥ 5,000/s ${met(hotRate >= 5_000)}`);
  } else {
    const verdict = (rate: number) => (rate >= 20_000 ? "met" : "missed");
    console.log(`  goal ≥ 20,000 debits/s: hot ${verdict(hotRate)}, spread ${verdict(spreadRate)}`);
  }
  return { hot: hotRate, hotSequential, spread: spreadRate, spreadSequential, portable: portableRate, baseline, baselineInFlight, baselineRaw, invariantOk, batches, hotCpu, spreadCpu };
}

async function measureOn(database: Database): Promise<Figures> {
  try {
    return await measure(database);
  } finally {
    await database.cleanup();
  }
}

const only = process.env.BENCH_ONLY;
console.log(`${cpus().length} CPUs, load average ${loadavg().map((value) => value.toFixed(2)).join(" ")} at the start`);
const sqlite = only === "postgres" ? null : await measureOn(sqliteDatabase());
const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const postgresDb = only === "sqlite" ? null : await postgresDatabase(postgresUrl);
const postgres = postgresDb ? await measureOn(postgresDb) : null;

const result = {
  sqlite_hot_per_s: sqlite?.hot ?? null,
  sqlite_spread_per_s: sqlite?.spread ?? null,
  sqlite_baseline_update_per_s: sqlite?.baseline ?? null,
  postgres_hot_per_s: postgres?.hot ?? null,
  postgres_spread_per_s: postgres?.spread ?? null,
  postgres_baseline_update_per_s: postgres?.baseline ?? null,
  postgres_baseline_update_64_in_flight_per_s: postgres?.baselineInFlight ?? null,
  postgres_spread_to_baseline: postgres ? Math.round((postgres.spread / postgres.baseline) * 100) / 100 : null,
  postgres_portable_spread_per_s: postgres?.portable ?? null,
  postgres_group_commit: postgres?.batches ?? null,
  // CPU time per debit (µs) in the concurrent runs: less distorted by a loaded machine than rates.
  sqlite_cpu_us_per_debit: sqlite ? { hot: sqlite.hotCpu.node, spread: sqlite.spreadCpu.node } : null,
  postgres_cpu_us_per_debit: postgres ? { hot: postgres.hotCpu, spread: postgres.spreadCpu } : null,
  invariant_ok: [sqlite, postgres].every((figures) => figures === null || figures.invariantOk),
  in_flight: IN_FLIGHT,
  measured_at: new Date().toISOString(),
  load_average_at_end: loadavg().map((value) => Math.round(value * 100) / 100),
};
console.log(`\nload average at the end ${loadavg().map((value) => value.toFixed(2)).join(" ")}`);
if (!only) {
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${resultsFile}`);
}
if (!result.invariant_ok) process.exitCode = 1;
