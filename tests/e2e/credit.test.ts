// The developer's credit page in Chromium, in English and Chinese.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { randomBytes } from "node:crypto";
import { createAccount } from "~/domain/accounts.server";
import { creditAccount } from "~/domain/ledger.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { launchBrowser, screenshot } from "./browser";

const baseUrl = inject("baseUrl");
const PASSWORD = "correct horse battery staple 42";
let browser: Browser;
let db: Db;
let email: string;

// An account of its own, so other suites' purchases and grants to the demo developer do not matter.
beforeAll(async () => {
  browser = await launchBrowser();
  db = createDatabase(inject("databaseUrl"));
  email = `credit-${randomBytes(4).toString("hex")}@example.com`;
  const user = await createAccount(db, { email, password: PASSWORD, role: "developer", verified: true });
  await creditAccount(db, {
    accountId: user.id,
    kind: "grant",
    bucket: "promo",
    tokens: 1_234_567,
    idempotencyKey: `e2e-credit-${user.id}`,
    referenceType: "e2e",
    referenceId: user.id,
    expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  });
});
afterAll(async () => {
  await browser?.close();
  await db?.destroy();
});

describe("credit page", () => {
  it("is reached from the account sub-navigation and shows the balance in both languages", async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/login?redirectTo=/account`);
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(/\/account$/), page.click('form:has(input[name="password"]) button[type="submit"]')]);

    await page.click('nav.sub-nav a[href="/account/credit"]');
    await page.waitForURL(/\/account\/credit$/);
    await page.locator("h1", { hasText: "Credit" }).waitFor();
    await expect(page.locator('[data-testid="credit-total"]').textContent()).resolves.toBe("1,234,567");
    await expect(page.locator('[data-testid="credit-promo"]').textContent()).resolves.toBe("1,234,567");
    await expect(page.locator('[data-testid="credit-paid"]').textContent()).resolves.toBe("0");
    await expect(page.locator('nav.sub-nav a[href="/account/credit"]').getAttribute("class")).resolves.toContain("active");
    await screenshot(page, "credit-en");

    await Promise.all([page.waitForLoadState("load"), page.click('form.language-picker button[value="zh"]')]);
    await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
    await page.locator("h1", { hasText: "额度" }).waitFor();
    await screenshot(page, "credit-zh");
    await page.close();
  });
});
