// The developer's credit page in Chromium, in English and Chinese.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, screenshot } from "./browser";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("credit page", () => {
  it("is reached from the account sub-navigation and shows the balance in both languages", async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/login?redirectTo=/account`);
    await page.fill('input[name="email"]', "developer@demo.ferry");
    await page.fill('input[name="password"]', "demo-developer-pass");
    await Promise.all([page.waitForURL(/\/account$/), page.click('form:has(input[name="password"]) button[type="submit"]')]);

    await page.click('nav.sub-nav a[href="/account/credit"]');
    await page.waitForURL(/\/account\/credit$/);
    await page.locator("h1", { hasText: "Credit" }).waitFor();
    await expect(page.locator('[data-testid="credit-total"]').textContent()).resolves.toBe("0");
    await expect(page.locator('nav.sub-nav a[href="/account/credit"]').getAttribute("class")).resolves.toContain("active");
    await screenshot(page, "credit-en");

    await Promise.all([page.waitForLoadState("load"), page.click('form.language-picker button[value="zh"]')]);
    await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
    await page.locator("h1", { hasText: "额度" }).waitFor();
    await screenshot(page, "credit-zh");
    await page.close();
  });
});
