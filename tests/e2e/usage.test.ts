// The usage page in Chromium: chart (and its table), filters, request look-up and CSV export, in
// English and Chinese, at 1280 and 390 px; and the snippets page's own-models map.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createAccount } from "~/domain/accounts.server";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount, debitUsage } from "~/domain/ledger.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { launchBrowser, screenshot, SCREENSHOT_DIR } from "./browser";

const baseUrl = inject("baseUrl");
const PASSWORD = "correct horse battery staple 42";
const SHOTS = "/tmp/shots-usage";
let browser: Browser;
let db: Db;
let email: string;
let lookupId: string;

async function shoot(page: Page, name: string) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `${name}-${width}`);
    mkdirSync(SHOTS, { recursive: true });
    copyFileSync(join(SCREENSHOT_DIR, `${name}-${width}.png`), join(SHOTS, `${name}-${width}.png`));
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

beforeAll(async () => {
  browser = await launchBrowser();
  db = createDatabase(inject("databaseUrl"));
  email = `usage-${randomBytes(4).toString("hex")}@example.com`;
  const user = await createAccount(db, { email, password: PASSWORD, role: "developer", verified: true });
  await creditAccount(db, { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 60_000, idempotencyKey: `e2e-usage-${user.id}`, referenceType: "e2e", referenceId: user.id });
  const keys = [];
  for (const name of ["production", "=staging"]) {
    const created = await createApiKey(db, { accountId: user.id, name, prefix: "glmsk" });
    if (!created.ok) throw new Error(created.reason);
    keys.push(created.apiKey.id);
  }
  const models = ["gpt-4o-2024-08-06", "gpt-4o-mini", "gpt-3.5-turbo-0125"];
  for (let day = 20; day >= 0; day -= 1) {
    for (const [index, model] of models.entries()) {
      const input = 400 + ((day * 37 + index * 101) % 900);
      const now = new Date(Date.now() - day * 86_400_000);
      const requestId = `chatcmpl-e2e-${user.id}-${day}-${index}`;
      if (day === 0 && index === 0) lookupId = requestId;
      await debitUsage(db, { accountId: user.id, requestId, tokens: input + 200, now, usage: { keyId: keys[index % 2]!, model, providerModel: index === 0 ? "glm-4-plus" : null, inputTokens: input, cachedInputTokens: Math.floor(input / 4), outputTokens: 200 } });
    }
  }
});
afterAll(async () => {
  await browser?.close();
  await db?.destroy();
});

describe("usage page", () => {
  it("shows the chart, filters by model, finds a request and exports a CSV, in English and Chinese", async () => {
    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    await page.goto(`${baseUrl}/login?redirectTo=/account`);
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(/\/account$/), page.click('form:has(input[name="password"]) button[type="submit"]')]);

    await page.click('nav.sub-nav a[href="/account/usage"]');
    await page.waitForURL(/\/account\/usage$/);
    await page.locator("h1", { hasText: "Usage" }).waitFor();
    expect(await page.locator("figure.week-chart svg rect").count()).toBeGreaterThan(20);
    expect(await page.locator(".wk-legend li").allTextContents()).toEqual(expect.arrayContaining(["gpt-4o-2024-08-06", "gpt-4o-mini", "gpt-3.5-turbo-0125"]));
    // The chart's text alternative: a table of the same numbers.
    await page.click("figure.week-chart details summary");
    expect(await page.locator("figure.week-chart details tbody tr").count()).toBe(30);
    expect(await page.locator("table.usage-table tbody tr").count()).toBe(3);
    const allShortfall = await page.locator('[data-testid="usage-shortfall"]').textContent();
    expect(allShortfall).not.toBe("0");
    await page.locator(".alert-warning", { hasText: "beyond your credit" }).waitFor();
    await shoot(page, "usage-en");

    // Filter: one model, chart by key.
    await page.selectOption("#usage-model", "gpt-4o-mini");
    await page.selectOption("#usage-by", "key");
    await Promise.all([page.waitForURL(/model=gpt-4o-mini/), page.click('form.usage-filters button[type="submit"]')]);
    await page.waitForFunction(() => document.querySelectorAll("table.usage-table tbody tr").length === 1);
    expect(await page.locator('[data-testid="usage-requests"]').textContent()).toBe("21");
    expect(await page.locator(".wk-legend li").allTextContents()).toEqual([expect.stringContaining("=staging")]);

    // Request look-up.
    await page.fill("#usage-request", lookupId);
    await Promise.all([page.waitForURL(/request=/), page.click('form.usage-lookup button[type="submit"]')]);
    const found = page.locator('[data-testid="usage-lookup"]');
    await found.waitFor();
    expect(await found.textContent()).toContain("gpt-4o-2024-08-06");
    expect(await found.textContent()).toContain("glm-4-plus");
    await shoot(page, "usage-filtered-en");

    // CSV export with the same filters: formula-safe key names.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('a[href^="/account/usage.csv"]')]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.replace(/^\uFEFF/, "").split("\r\n")[0]).toBe("day,key_id,key_name,key,model,requests,input_tokens,cached_input_tokens,output_tokens,debited_tokens,shortfall_tokens");
    expect(csv).toContain(",'=staging,");
    expect(csv).not.toContain("gpt-3.5-turbo-0125");

    await Promise.all([page.waitForLoadState("load"), page.click('form.language-picker button[value="zh"]')]);
    await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
    await page.goto(`${baseUrl}/account/usage`);
    await page.locator("h1", { hasText: "用量" }).waitFor();
    await page.locator("figcaption", { hasText: "每日 Tokens" }).waitFor();
    await page.locator(".alert-warning", { hasText: "超出您的额度" }).waitFor();
    await shoot(page, "usage-zh");
    await page.fill("#usage-request", lookupId);
    await Promise.all([page.waitForURL(/request=/), page.click('form.usage-lookup button[type="submit"]')]);
    await page.locator('[data-testid="usage-lookup"]', { hasText: "实际服务的模型" }).waitFor();
    await shoot(page, "usage-lookup-zh");

    await page.goto(`${baseUrl}/account/snippets`);
    await page.locator(".model-map-table").waitFor();
    await shoot(page, "snippets-zh");
    await Promise.all([page.waitForLoadState("load"), page.click('form.language-picker button[value="en"]')]);
    await page.waitForFunction(() => document.documentElement.lang === "en");
    await page.locator('p[role="note"]', { hasText: "Re-index" }).waitFor();
    await shoot(page, "snippets-en");
    await page.close();
  });
});
