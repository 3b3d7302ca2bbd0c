// `npm run bench:support`: how fast the support search answers, per kind of identifier, with
// 50,000 accounts (each with evidence and an API key) and 50,000 audit entries; and how long a
// 50,000-row audit CSV export takes. Fresh SQLite file, or BENCH_DATABASE_URL=postgres://… .
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportAuditCsv } from "~/domain/audit-query.server";
import { hashApiKey } from "~/domain/api-keys.server";
import { searchAccounts } from "~/domain/support-search.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 50_000);
const ROUNDS = 200;
const context = { keyPrefix: "glmsk" };
const resultsFile = join(dirname(fileURLToPath(import.meta.url)), "results", "support-search.json");

async function setUp(): Promise<{ db: Db; label: string; cleanup: () => Promise<void> }> {
  const url = process.env.BENCH_DATABASE_URL;
  if (url) {
    const pg = (await import("pg")).default;
    const name = `ferry_bench_support_${Date.now()}`;
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
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "ferry-bench-support-"));
  const db = createDatabase(join(dir, "bench.sqlite"));
  return { db, label: "SQLite (WAL)", cleanup: async () => { await db.destroy(); rmSync(dir, { recursive: true, force: true }); } };
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const randomTail = (length: number) => Array.from(randomBytes(length), (byte) => base62[byte % 62]).join("");

async function seed(db: Db) {
  const at = new Date().toISOString();
  const sample: { email: string; orgId: string; keyPrefix: string; wholeKey: string; userId: string } = { email: "", orgId: "", keyPrefix: "", wholeKey: "", userId: "" };
  for (let start = 0; start < ACCOUNTS; start += 500) {
    const users = [];
    const evidence = [];
    const keys = [];
    const audit = [];
    for (let i = start; i < Math.min(start + 500, ACCOUNTS); i++) {
      const id = `usr_bench${String(i).padStart(7, "0")}`;
      const email = `dev${String(i).padStart(6, "0")}.${randomBytes(2).toString("hex")}@bench.test`;
      const orgId = `org-${randomTail(24)}`;
      const wholeKey = `glmsk_${randomTail(38)}`;
      users.push({ id, email, password_hash: "x", email_verified_at: at, role: "developer" as const, locale: "en", disabled_at: null, password_changed_at: at, created_at: at, updated_at: at });
      evidence.push({ id: `evd_bench${i}`, user_id: id, kind: "completions_csv" as const, status: "accepted" as const, file_name: null, file_sha256: null, file_bytes: 1, fingerprint: null, org_id: orgId, period_start: null, period_end: null, row_count: 1, input_tokens: 1, output_tokens: 1, cost_micros: 1, reasons: "[]", flags: "[]", summary: "{}", created_at: at });
      keys.push({ id: `key_bench${i}`, user_id: id, name: "k", key_hash: hashApiKey(wholeKey), visible_prefix: wholeKey.slice(0, 10), last_four: wholeKey.slice(-4), creation_token_hash: null, created_at: at, last_used_at: null, expires_at: null, revoked_at: null, rolled_at: null, rolled_to_id: null });
      audit.push({ id: `aud_bench${i}`, actor_id: id, action: "support.search", target_type: "search", target_id: null, details: JSON.stringify({ query: `=cmd|${i}` }), ip: "192.0.2.1", created_at: at });
      if (i === Math.floor(ACCOUNTS / 2)) Object.assign(sample, { email, orgId, keyPrefix: wholeKey.slice(0, 10), wholeKey, userId: id });
    }
    await db.insertInto("users").values(users).execute();
    await db.insertInto("evidence").values(evidence).execute();
    await db.insertInto("api_keys").values(keys).execute();
    await db.insertInto("audit_log").values(audit).execute();
  }
  return sample;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { medianMs: Number(at(0.5).toFixed(3)), p95Ms: Number(at(0.95).toFixed(3)) };
}

async function main() {
  const { db, label, cleanup } = await setUp();
  try {
    await migrateToLatest(db);
    const seededAt = performance.now();
    const sample = await seed(db);
    console.log(`${label}: seeded ${ACCOUNTS} accounts (+ evidence, keys, audit entries) in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`);
    const queries: Record<string, string> = {
      "email (whole)": sample.email,
      "email (prefix, many matches)": "dev01",
      "OpenAI org id": sample.orgId,
      "API key prefix": sample.keyPrefix,
      "whole key (hashed)": sample.wholeKey,
      "account id": sample.userId,
      "no match": "nobody-at-all@example.com",
    };
    const results: Record<string, { medianMs: number; p95Ms: number; accounts: number }> = {};
    for (const [name, q] of Object.entries(queries)) {
      const times: number[] = [];
      let accounts = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const started = performance.now();
        const outcome = await searchAccounts(db, { q, page: 1 }, context);
        times.push(performance.now() - started);
        accounts = outcome.total;
      }
      results[name] = { ...stats(times), accounts };
      console.log(`  ${name.padEnd(30)} median ${results[name]!.medianMs.toFixed(2)} ms  p95 ${results[name]!.p95Ms.toFixed(2)} ms  (${accounts} accounts)`);
    }
    const exportStarted = performance.now();
    const exported = await exportAuditCsv(db, {});
    const exportMs = performance.now() - exportStarted;
    console.log(`  audit CSV export: ${exported.rowCount} rows, ${(exported.csv.length / 1e6).toFixed(1)} MB in ${exportMs.toFixed(0)} ms`);
    mkdirSync(dirname(resultsFile), { recursive: true });
    const previous = await import("node:fs").then((fs) => (fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, "utf8")) : {}));
    writeFileSync(
      resultsFile,
      `${JSON.stringify({ ...previous, [label]: { accounts: ACCOUNTS, rounds: ROUNDS, search: results, auditCsvExport: { rows: exported.rowCount, ms: Math.round(exportMs) }, at: new Date().toISOString() } }, null, 2)}\n`,
    );
  } finally {
    await cleanup();
  }
}

await main();
