// WEB_CONCURRENCY=2: one supervising process and two server processes on one port and one SQLite
// file. Both serve; usage reports sent to both are debited exactly once each; every background job
// is taken by the lead worker only; a worker that dies is replaced; SIGTERM stops them all.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount } from "~/domain/ledger.server";
import { backgroundJobs } from "~/jobs.server";
import { createDatabase } from "~/lib/db.server";
import { eventually, gatewayPost, startServer, type ServerProcess } from "./server-process";

let dir: string;
let databaseFile: string;
let server: ServerProcess;

function workersOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  return existsSync(file) ? readFileSync(file, "utf8").trim().split(/\s+/).filter(Boolean).map(Number) : [];
}

function query<T>(sql: string): T[] {
  const reader = new SQLite(databaseFile, { readonly: true });
  try {
    return reader.prepare(sql).all() as T[];
  } finally {
    reader.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ferry-ops-cluster-"));
  databaseFile = join(dir, "ops.sqlite");
  server = await startServer({ DATABASE_URL: databaseFile, WEB_CONCURRENCY: "2" });
  await eventually("readiness", async () => (await fetch(`${server.url}/readyz`)).ok || undefined);
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it.skipIf(process.platform !== "linux")("serves from two processes that share the database, runs each job once, replaces a dead worker and stops on SIGTERM", async () => {
  const workers = await eventually("two server processes", async () => (workersOf(server.child.pid!).length === 2 ? workersOf(server.child.pid!) : undefined));

  const db = createDatabase(databaseFile);
  const user = await createAccount(db, { email: "cluster@example.com", password: "a long enough password here", role: "developer", verified: true });
  const created = await createApiKey(db, { accountId: user.id, name: "ops", prefix: "glmsk" });
  if (!created.ok) throw new Error(created.reason);
  await creditAccount(db, { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 1_000_000, idempotencyKey: "ops-credit", referenceType: "test", referenceId: "ops" });
  await db.destroy();

  // 60 reports on new connections (spread over both workers by the primary), 20 of them sent twice.
  const report = (index: number) => ({ request_id: `cluster-${index}`, key_id: created.apiKey.id, model: "gpt-4o", input_tokens: 7, output_tokens: 3 });
  const sent = await Promise.all([...Array.from({ length: 60 }, (_, index) => report(index)), ...Array.from({ length: 20 }, (_, index) => report(index))].map((body) => gatewayPost(server.url, "usage", body)));
  expect(sent.every((response) => response.ok)).toBe(true);
  const [balance] = query<{ total: number }>("select promo + paid as total from account_balances");
  expect(balance!.total).toBe(1_000_000 - 60 * 10);

  // Jobs: taken by one holder (the lead worker's pid) each.
  const leases = await eventually("every job leased", async () => {
    const rows = query<{ name: string; holder: string }>("select name, holder from job_leases");
    return rows.length === backgroundJobs.length ? rows : undefined;
  });
  const holders = new Set(leases.map((lease) => lease.holder.split("-")[0]));
  expect(holders.size).toBe(1);
  expect(workers.map(String)).toContain([...holders][0]);

  // A worker killed outright is replaced.
  const [lead, other] = workers as [number, number];
  const victim = String(lead) === [...holders][0] ? other : lead;
  process.kill(victim, "SIGKILL");
  await eventually("a replacement worker", async () => {
    const now = workersOf(server.child.pid!);
    return now.length === 2 && !now.includes(victim) ? now : undefined;
  });
  expect((await fetch(`${server.url}/healthz`)).ok).toBe(true);

  server.child.kill("SIGTERM");
  expect(await server.exited).toMatchObject({ code: 0 });
  const survivors = [...workers, ...workersOf(server.child.pid!)].filter((pid) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "));
  expect(survivors).toEqual([]);
});
