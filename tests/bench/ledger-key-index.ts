// `npm run bench:ledger-keys`: the cost of the entries' key index alone (migration 0027; figures in the
// README's Benchmarks section). Usage entries inserted 64 per transaction into two databases side by
// side, one with 0027 (partial key index), one with 0027 undone (full unique key index),
// interleaved in rounds so a busy machine slows both alike. CPU per
// inserted entry: this process for SQLite, the backend for PostgreSQL.
//   KEYS=random|sequential  ROWS_BEFORE=200000 (entries already there)  ROUNDS=10  BATCHES=300
//   BENCH_ONLY=sqlite|postgres  BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createDatabase, sqliteHandleOf, type Db } from "~/lib/db.server";
import { migrateTo, migrateToLatest } from "~/lib/migrate.server";
import { newLedgerEntryId } from "~/domain/ledger/entry-id.server";
import { cpuMsOf, median } from "./harness";

const ROWS_BEFORE = Number(process.env.ROWS_BEFORE ?? 200_000);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const BATCHES = Number(process.env.BATCHES ?? 300);
const BATCH = 64;
const KEYS = process.env.KEYS ?? "random"; // random | sequential
const only = process.env.BENCH_ONLY;
let seq = 0;
const key = () => (KEYS === "random" ? `usage:${randomUUID()}` : `usage:hot-${seq++}`);

async function prepare(db: Db, full: boolean) {
  await migrateToLatest(db);
  if (full) {
    await migrateTo(db, "0026_key_counters_in_place");
  }
  const at = new Date().toISOString();
  await db.insertInto("users").values({ id: "usr_bench", email: "b@x.test", password_hash: "x", email_verified_at: at, role: "developer", locale: "en", disabled_at: null, password_changed_at: at, created_at: at, updated_at: at }).execute();
}

function row() {
  return [newLedgerEntryId(), "usr_bench", "usage", "paid", -1, key(), "gateway_request", "r", null, null, null, null, new Date().toISOString()];
}

const sqliteDirs: string[] = [];

async function sqliteSide(full: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "ferry-keyidx-"));
  sqliteDirs.push(dir);
  const db = createDatabase(join(dir, "k.sqlite"));
  await prepare(db, full);
  const raw = sqliteHandleOf(db)!;
  const insert = raw.prepare(`insert into ledger_entries (id, account_id, kind, bucket, amount, idempotency_key, reference_type, reference_id, expires_at, grant_entry_id, note, actor_id, created_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const batch = raw.transaction((rows: unknown[][]) => { for (const r of rows) insert.run(...r); });
  const run = (n: number) => { for (let b = 0; b < n; b += 1) batch.immediate(Array.from({ length: BATCH }, row)); };
  run(Math.ceil(ROWS_BEFORE / BATCH));
  return { name: full ? "full" : "partial", run: async (n: number) => { const before = process.cpuUsage(); run(n); const u = process.cpuUsage(before); return (u.user + u.system) / 1000; } };
}

async function postgresSide(full: boolean, admin: pg.Client) {
  const name = `ferry_keyidx_${full ? "full" : "partial"}_${Date.now()}`;
  await admin.query(`create database ${name}`);
  const url = new URL(process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  url.pathname = `/${name}`;
  const db = createDatabase(url.toString());
  await prepare(db, full);
  await db.destroy();
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const pid = (await client.query("select pg_backend_pid() as pid")).rows[0].pid as number;
  const text = `insert into ledger_entries (id, account_id, kind, bucket, amount, idempotency_key, reference_type, reference_id, created_at)
    select id, 'usr_bench', 'usage', 'paid', -1, k, 'gateway_request', 'r', $3 from unnest($1::text[], $2::text[]) as m(id, k)`;
  const run = async (n: number) => {
    for (let b = 0; b < n; b += 1) {
      const ids: string[] = []; const keys: string[] = [];
      for (let i = 0; i < BATCH; i += 1) { ids.push(newLedgerEntryId()); keys.push(key()); }
      await client.query({ name: "ins", text, values: [ids, keys, new Date().toISOString()] });
    }
  };
  await run(Math.ceil(ROWS_BEFORE / BATCH));
  await client.query("checkpoint").catch(() => undefined);
  return {
    name: full ? "full" : "partial",
    run: async (n: number) => { const before = cpuMsOf([pid])!; await run(n); return cpuMsOf([pid])! - before; },
    end: async () => { await client.end(); await admin.query(`drop database if exists ${name} with (force)`); },
  };
}

async function compare(label: string, sides: Array<{ name: string; run: (n: number) => Promise<number> }>) {
  const totals = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r += 1) {
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const ms = await side.run(BATCHES);
      const perRow = (ms * 1000) / (BATCHES * BATCH);
      totals.set(side.name, [...(totals.get(side.name) ?? []), perRow]);
    }
  }
  for (const [name, values] of totals) {
    console.log(`${label} ${KEYS} keys, ${name}: CPU µs per entry median ${median(values).toFixed(2)} (min ${Math.min(...values).toFixed(2)}, rounds ${values.map((v) => v.toFixed(1)).join(" ")})`);
  }
}

if (only !== "postgres") {
  await compare("SQLite (this process)", [await sqliteSide(true), await sqliteSide(false)]);
  for (const dir of sqliteDirs) rmSync(dir, { recursive: true, force: true });
}
if (only !== "sqlite") {
  const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" });
  await admin.connect();
  const sides = [await postgresSide(true, admin), await postgresSide(false, admin)];
  await compare("PostgreSQL (backend)", sides);
  for (const side of sides) await side.end();
  await admin.end();
}
process.exit(0);
