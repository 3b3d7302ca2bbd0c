import { randomBytes } from "node:crypto";
import pg from "pg";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount } from "~/domain/ledger.server";
import { createAccount } from "~/domain/accounts.server";
import { createDatabase } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";
import { cpuMsOf, measure, startProcess, waitFor } from "./harness";
process.env.NODE_ENV = "test";
const admin = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres" });
await admin.connect();
const name = "ferry_diag_gw";
await admin.query(`drop database if exists ${name} with (force)`);
await admin.query(`create database ${name}`);
const url = `postgres://postgres@127.0.0.1:5432/${name}`;
const db = createDatabase(url);
await migrateToLatest(db);
const keys: string[] = [];
for (let i = 0; i < 200; i++) {
  const user = await createAccount(db, { email: `s-${i}@example.com`, password: "bench password that is long", role: "developer", verified: true });
  const created = await createApiKey(db, { accountId: user.id, name: "b", prefix: "glmsk" });
  if (!created.ok) throw new Error("x");
  await creditAccount(db, { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 1e12, idempotencyKey: `c-${i}`, referenceType: "bench", referenceId: `b-${i}` });
  keys.push(created.apiKey.id);
}
if (process.env.AUTOEXPLAIN) await (await import("kysely")).sql.raw(`alter database ${name} set session_preload_libraries = 'auto_explain'; alter database ${name} set auto_explain.log_min_duration = 0; alter database ${name} set auto_explain.log_nested_statements = on; alter database ${name} set auto_explain.log_analyze = on; alter database ${name} set auto_explain.log_timing = on`).execute(db);
if (process.env.FIX) { const { sql } = await import("kysely"); await sql.raw(process.env.FIX).execute(db); }
await db.destroy();
const token = `bench-${randomBytes(24).toString("hex")}`;
const port = 4799;
const extra = JSON.parse(process.env.XENV ?? "{}");
const ferry = startProcess([...(process.env.XARGS ? process.env.XARGS.split(" ") : []), "build/index.js"], { NODE_ENV: "production", APP_SECRET: randomBytes(32).toString("hex"), PORT: String(port), HOST: "127.0.0.1", APP_URL: `http://127.0.0.1:${port}`, DATABASE_URL: url, GATEWAY_TOKENS: token, MAIL_TRANSPORT: "log-redacted", DEMO: "", ...extra });
await waitFor(`http://127.0.0.1:${port}/readyz`, ferry.child, ferry.log);
let sent = 0;
const target = { url: `http://127.0.0.1:${port}/api/gateway/usage`, method: "POST" as const, headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  requests: [{ setupRequest: (r: any) => { sent++; return { ...r, body: JSON.stringify({ request_id: `r-${sent}`, key_id: keys[sent % keys.length], model: "glm-4-air", input_tokens: 20, output_tokens: 10 }) }; } }] };
const pgCpu = async () => { const { rows } = await admin.query(`select pid from pg_stat_activity where datname = $1`, [name]); return cpuMsOf(rows.map((r: any) => r.pid)) ?? 0; };
for (let i = 0; i < 2; i++) {
  const p0 = await pgCpu();
  const f = await measure("usage", target, { warmUp: i === 0, serverPids: [ferry.child.pid!] });
  const p1 = await pgCpu();
  console.log("pg cpu ms/req", ((p1 - p0) / (f.rps * 5)).toFixed(3));
}
if (process.env.STATS) {
  const c = new pg.Client({ connectionString: url }); await c.connect();
  await c.query("create extension if not exists pg_stat_statements");
  await c.query("select pg_stat_statements_reset()");
  await measure("usage-stats", target, { warmUp: false, serverPids: [ferry.child.pid!] });
  const { rows } = await c.query("select calls, round(total_exec_time::numeric,1) as exec_ms, round(total_plan_time::numeric,1) as plan_ms, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as q from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) order by total_exec_time desc limit 25");
  console.table(rows);
  await c.end();
}
if (process.env.HOLD) { console.log("holding", ferry.child.pid); await new Promise((r) => setTimeout(r, Number(process.env.HOLD))); }
ferry.child.kill("SIGTERM");
await new Promise((r) => setTimeout(r, 500));
await admin.query(`drop database if exists ${name} with (force)`);
await admin.end();
