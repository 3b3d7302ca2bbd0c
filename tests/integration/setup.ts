// Each test file gets its own freshly migrated database: a SQLite file, or a new PostgreSQL
// database when TEST_DATABASE_URL is set.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { closeDb, getDb } from "~/lib/db.server";
import { resetEnvForTests } from "~/lib/env.server";
import { migrateToLatest } from "~/lib/migrate.server";

process.env.NODE_ENV = "test";
process.env.APP_URL = "http://ferry.test";
delete process.env.SMTP_URL;
delete process.env.DEMO;

const adminUrl = process.env.TEST_DATABASE_URL;
let sqliteDir: string | undefined;
let pgDatabase: string | undefined;

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  if (adminUrl) {
    pgDatabase = `ferry_test_${randomBytes(6).toString("hex")}`;
    await withAdmin((client) => client.query(`CREATE DATABASE ${pgDatabase}`));
    const url = new URL(adminUrl);
    url.pathname = `/${pgDatabase}`;
    process.env.DATABASE_URL = url.toString();
  } else {
    sqliteDir = mkdtempSync(join(tmpdir(), "ferry-test-"));
    process.env.DATABASE_URL = join(sqliteDir, "ferry.sqlite");
  }
  resetEnvForTests();
  await migrateToLatest(getDb());
});

afterAll(async () => {
  await closeDb();
  if (pgDatabase) {
    await withAdmin(async (client) => {
      // pool.end() resolves before its sockets close: let those backends go first, or FORCE
      // terminates them mid-goodbye and the client reports an unhandled FATAL 57P01.
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const { rows } = await client.query("select count(*)::int as n from pg_stat_activity where datname = $1", [pgDatabase]);
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await client.query(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
    });
  }
  if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
});
