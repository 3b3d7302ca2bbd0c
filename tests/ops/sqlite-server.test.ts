// Issue #13.2/3: another process holding SQLite's write lock must not freeze the server. Reads
// (health, authorize, pages) answer while the lock is held; writes answer 503 + Retry-After at
// once and apply nothing; once the lock is gone the same write succeeds exactly once.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount } from "~/domain/ledger.server";
import { createDatabase } from "~/lib/db.server";
import { eventually, gatewayPost, METRICS_TOKEN, startServer, type ServerProcess } from "./server-process";

let dir: string;
let databaseFile: string;
let server: ServerProcess;
let apiKey: string;
let keyId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ferry-ops-lock-"));
  databaseFile = join(dir, "ops.sqlite");
  server = await startServer({ DATABASE_URL: databaseFile });
  await eventually("readiness", async () => (await fetch(`${server.url}/readyz`)).ok || undefined);
  const db = createDatabase(databaseFile);
  const user = await createAccount(db, { email: "lock@example.com", password: "a long enough password here", role: "developer", verified: true });
  const created = await createApiKey(db, { accountId: user.id, name: "ops", prefix: "glmsk" });
  if (!created.ok) throw new Error(created.reason);
  await creditAccount(db, { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 1_000_000, idempotencyKey: "ops-credit", referenceType: "test", referenceId: "ops" });
  await db.destroy();
  apiKey = created.key;
  keyId = created.apiKey.id;
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function usageReport(requestId: string) {
  return { request_id: requestId, key_id: keyId, model: "gpt-4o", input_tokens: 100, output_tokens: 23 };
}

function balanceOf(file: string): number {
  const reader = new SQLite(file, { readonly: true });
  try {
    const row = reader.prepare("select promo + paid as total from account_balances").get() as { total: number };
    return row.total;
  } finally {
    reader.close();
  }
}

it("serves health, readiness, token-protected metrics, request ids and JSON logs without secrets", async () => {
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ ready: true });

  const traced = await fetch(`${server.url}/login`, { headers: { "X-Request-Id": "trace-0123456789" } });
  expect(traced.headers.get("x-request-id")).toBe("trace-0123456789");
  const untraced = await fetch(`${server.url}/login`, { headers: { "X-Request-Id": "not sane\tid" } });
  expect(untraced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

  const secretPassword = "very-secret-password-in-a-form";
  const login = await fetch(`${server.url}/login`, {
    method: "POST",
    headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded", "X-Request-Id": "login-0123456789", Cookie: "ferry_session=cookie-secret-value" },
    body: new URLSearchParams({ email: "lock@example.com", password: secretPassword }),
    redirect: "manual",
  });
  await login.arrayBuffer();
  expect((await gatewayPost(server.url, "authorize", { api_key: apiKey })).status).toBe(200);

  expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  expect((await fetch(`${server.url}/metrics`, { headers: { Authorization: "Bearer wrong-token-0123456789abcdef" } })).status).toBe(404);
  const metrics = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(metrics.status).toBe(200);
  const text = await metrics.text();
  expect(text).toMatch(/ferry_gateway_requests_total\{endpoint="authorize",outcome="ok"\} [1-9]/);
  expect(text).toMatch(/ferry_http_requests_total\{route="\/login",method="POST",status="[0-9]xx"\} 1/);
  expect(text).toContain('ferry_claims_awaiting_review{status="pending"} 0');

  const lines = await eventually("the access log line", async () => {
    const parsed = server.log().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
    return parsed.some((line) => line.requestId === "login-0123456789") ? parsed : undefined;
  });
  expect(lines.find((line) => line.requestId === "login-0123456789")).toMatchObject({ method: "POST", path: "/login", msg: "request" });
  expect(server.log()).not.toContain(secretPassword);
  expect(server.log()).not.toContain("cookie-secret-value");
  expect(server.log()).not.toContain(apiKey);
});

it("checkpoints the WAL in a worker thread: a write reaches the database file itself within moments, long before SQLite's own threshold", async () => {
  // The account made in beforeAll is a few pages of WAL; SQLite's own checkpoint waits for 10,000.
  await eventually("the account's row in the database file", async () => readFileSync(databaseFile).includes("lock@example.com") || undefined, 30_000);
  expect(readFileSync(`${databaseFile}-wal`).length).toBeGreaterThan(0);
});

it("answers reads and refuses writes with 503 + Retry-After while another process holds the write lock", async () => {
  const holder = new SQLite(databaseFile);
  holder.exec("BEGIN IMMEDIATE");
  // The lock stays held until every answer below has arrived: each answered while it was held.
  try {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);

    const authorized = await gatewayPost(server.url, "authorize", { api_key: apiKey });
    expect(authorized.status).toBe(200);
    expect(((await authorized.json()) as { remaining_tokens: number }).remaining_tokens).toBe(1_000_000);

    const page = await fetch(`${server.url}/login`);
    expect(page.status).toBe(200);

    const debit = await gatewayPost(server.url, "usage", usageReport("req-during-lock"));
    expect(debit.status).toBe(503);
    expect(Number(debit.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await debit.json()) as { error: { code: string } }).error.code).toBe("database_busy");

    // A portal write (the log-in form's rate-limit counter) answers the same way.
    const login = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "lock@example.com", password: "wrong password, long enough" }),
      redirect: "manual",
    });
    expect(login.status).toBe(503);
    expect(Number(login.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(holder.inTransaction).toBe(true);
  } finally {
    holder.exec("ROLLBACK");
    holder.close();
  }

  // Nothing of the refused debit was written; retried after the lock is gone, it applies once.
  expect(balanceOf(databaseFile)).toBe(1_000_000);
  const retried = await gatewayPost(server.url, "usage", usageReport("req-during-lock"));
  expect(retried.status).toBe(200);
  expect(await retried.json()).toMatchObject({ debited_tokens: 123, duplicate: false });
  expect(balanceOf(databaseFile)).toBe(1_000_000 - 123);
});
