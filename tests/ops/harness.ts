// What the ops tests share: a fresh database per test (a SQLite file, or a randomly named
// PostgreSQL database dropped afterwards), seeding through domain functions, plain HTTP clients
// for the gateway and for signed-in pages, and `npm run ledger:verify` as a subprocess.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createAccount } from "~/domain/accounts.server";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount } from "~/domain/ledger.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";

export type Dialect = "sqlite" | "postgres";

/** The PostgreSQL server the PostgreSQL parts use (any database on it; each test creates its own). */
export const postgresAdminUrl = process.env.TEST_DATABASE_URL || undefined;

export const GATEWAY_TOKEN = "ops-gateway-service-token-0123456789";
export const APP_SECRET = "ops-test-app-secret-0123456789abcdefghijklmnop";
export const PASSWORD = "correct horse battery staple 42";

export interface FreshDatabase {
  dialect: Dialect;
  url: string;
  /** The test's own connection (for seeding and for reading what the servers wrote). */
  db: Db;
  drop(): Promise<void>;
}

async function withPostgresAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A new database, migrated unless `migrate` is false (the servers then migrate it at start).
 * On PostgreSQL its name is random so parallel runs never collide.
 */
export async function freshDatabase(dialect: Dialect, options: { migrate?: boolean } = {}): Promise<FreshDatabase> {
  const migrate = options.migrate ?? true;
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "ferry-ops-"));
    const url = join(dir, "ferry.sqlite");
    const db = createDatabase(url);
    if (migrate) await migrateToLatest(db);
    return {
      dialect,
      url,
      db,
      async drop() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!postgresAdminUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `ferry_ops_${randomBytes(6).toString("hex")}`;
  await withPostgresAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const target = new URL(postgresAdminUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  const db = createDatabase(url);
  if (migrate) await migrateToLatest(db);
  return {
    dialect,
    url,
    db,
    async drop() {
      await db.destroy();
      await withPostgresAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** A developer with one API key and `paidTokens` of paid (non-expiring) credit. */
export async function seedPaidAccount(db: Db, paidTokens: number) {
  const user = await createAccount(db, { email: `ops-${randomBytes(5).toString("hex")}@example.com`, password: PASSWORD, role: "developer", verified: true });
  const created = await createApiKey(db, { accountId: user.id, name: "ops", prefix: "glmsk" });
  if (!created.ok) throw new Error(`createApiKey: ${created.reason}`);
  await creditAccount(db, { accountId: user.id, kind: "purchase", bucket: "paid", tokens: paidTokens, idempotencyKey: `ops-seed:${user.id}`, referenceType: "ops", referenceId: user.id });
  return { accountId: user.id, email: user.email, keyId: created.apiKey.id, key: created.key };
}

export interface UsageReport {
  request_id: string;
  key_id: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
}

export interface UsageAnswer {
  request_id: string;
  debited_tokens: number;
  shortfall_tokens: number;
  remaining_tokens: number;
  duplicate: boolean;
}

/**
 * One usage report. `status` 0 means no answer at all (connection refused or reset): the server may
 * or may not have acted. With `retry`, a 503 or 429 and a connection that fails are retried (as a
 * real gateway does: a report is idempotent, a replay harmless) until a 60 s deadline, so a loaded
 * machine (a busy server, a keep-alive socket closed under the client) delays the test instead
 * of failing it. Whether the server survived is for the caller to check.
 */
export async function postUsage(baseUrl: string, report: UsageReport, options: { retry?: boolean; onRetry?: (status: number) => void } = {}): Promise<{ status: number; body: any }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    let outcome: { status: number; body: any; retryAfter?: number };
    try {
      const response = await fetch(`${baseUrl}/api/gateway/usage`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${GATEWAY_TOKEN}` },
        body: JSON.stringify(report),
      });
      outcome = { status: response.status, body: await response.json().catch(() => null), retryAfter: Number(response.headers.get("retry-after") ?? 0) };
    } catch (error) {
      outcome = { status: 0, body: { error: String(error), cause: String((error as { cause?: unknown }).cause) } };
    }
    const retryable = outcome.status === 0 || outcome.status === 503 || outcome.status === 429;
    if (!options.retry || !retryable || Date.now() > deadline) return { status: outcome.status, body: outcome.body };
    options.onRetry?.(outcome.status);
    await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, Math.max(200, (outcome.retryAfter ?? 0) * 1000))));
  }
}

/** Runs `run` over `items` with at most `limit` calls in flight; results in input order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A signed-in browser without the browser: a cookie jar over fetch, with this site's Origin. */
export class PortalSession {
  private cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  private remember(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: this.baseUrl,
        Cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "),
      },
      body: new URLSearchParams(form),
    });
    this.remember(response);
    return response;
  }

  static async logIn(baseUrl: string, email: string, password = PASSWORD): Promise<PortalSession> {
    const session = new PortalSession(baseUrl);
    const response = await session.post("/login", { email, password, redirectTo: "/account" });
    await response.arrayBuffer();
    if (response.status !== 302 || session.cookies.size === 0) throw new Error(`log-in as ${email} on ${baseUrl} answered ${response.status}`);
    return session;
  }
}

/** `npm run ledger:verify` against `databaseUrl`: the exit code and what it printed. */
export function runLedgerVerify(databaseUrl: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile("npm", ["run", "--silent", "ledger:verify"], { env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "production", MAIL_TRANSPORT: "log-redacted", APP_SECRET } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** The environment both ops servers run with: production mode, one service token. */
export function serverEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: "production", MAIL_TRANSPORT: "log-redacted", APP_SECRET, DATABASE_URL: databaseUrl, GATEWAY_TOKENS: GATEWAY_TOKEN, ...extra };
}

/** A loud notice when the PostgreSQL parts cannot run; CI sets REQUIRE_POSTGRES=1 to fail instead. */
export function postgresSkipNotice(what: string): boolean {
  if (postgresAdminUrl) return false;
  const banner = "!".repeat(78);
  const message = `${banner}\n!!  ${what} SKIPPED: TEST_DATABASE_URL is not set.\n!!  Run with TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (CI does).\n${banner}`;
  if (process.env.REQUIRE_POSTGRES === "1") throw new Error(message.replace("SKIPPED", "REQUIRED BUT NOT CONFIGURED"));
  console.warn(`\n${message}\n`);
  return true;
}
