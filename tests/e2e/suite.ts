// The setup browser suites share: one database handle and one Chromium for the test file (opened
// before its tests, closed after), and fresh verified accounts made through the domain functions.
import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import type { Role } from "~/lib/db-schema";
import { createDatabase, type Db } from "~/lib/db.server";
import { launchBrowser } from "./browser";
import type { Locale } from "./log-in";

/** The password of every account `createTestAccount` makes. */
export const PASSWORD = "correct horse battery staple 42";

export interface BrowserSuite {
  db: Db;
  browser: Browser;
}

/** Opens the database and Chromium before the file's tests and closes both after; read them inside tests. */
export function browserSuite(): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    suite.db = createDatabase(inject("databaseUrl"));
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.db?.destroy();
  });
  return suite;
}

/** A new verified account, `<label>-<random>@example.com`, with PASSWORD (language English unless said). */
export async function createTestAccount(db: Db, options: { label: string; role: Role; locale?: Locale }) {
  const email = `${options.label}-${randomBytes(4).toString("hex")}@example.com`;
  const user = await createAccount(db, { email, password: PASSWORD, role: options.role, verified: true, locale: options.locale });
  return { id: user.id, email, password: PASSWORD };
}
