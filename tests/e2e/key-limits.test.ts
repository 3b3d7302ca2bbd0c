// A developer sets a key's limits in Chromium (English, then Chinese), sees a bad CIDR refused
// beside its field, and the gateway then refuses a model the key may not use. Screenshots at
// 1280 and 390 px; the alert settings page too.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { creditAccount } from "~/domain/ledger.server";
import { createDatabase } from "~/lib/db.server";
import { launchBrowser, screenshot, SCREENSHOT_DIR } from "./browser";
import { DEMO, HTML_LANG, logIn, useLanguage, type Locale } from "./log-in";

const baseUrl = inject("baseUrl");
const gatewayToken = inject("gatewayToken");
const SHOTS = "/tmp/shots-limits";
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
  // Credit for the shared demo developer, so the gateway's answer is about the limits, not the balance.
  const db = createDatabase(inject("databaseUrl"));
  try {
    const developer = await db.selectFrom("users").select("id").where("email", "=", "developer@demo.ferry").executeTakeFirstOrThrow();
    await creditAccount(db, { accountId: developer.id, kind: "purchase", bucket: "paid", tokens: 1_000_000, idempotencyKey: `e2e-key-limits:${Date.now()}`, referenceType: "test", referenceId: "e2e-key-limits" });
  } finally {
    await db.destroy();
  }
});
afterAll(async () => {
  await browser?.close();
});

async function shoot(page: Page, name: string) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `${name}-${width}`);
    copyFileSync(join(SCREENSHOT_DIR, `${name}-${width}.png`), join(SHOTS, `${name}-${width}.png`));
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Shows the page in `locale` (the language cookie, not the shared demo account's saved choice). */
async function setLanguage(page: Page, locale: Locale) {
  await useLanguage(page, locale);
  await page.reload();
  await page.waitForFunction((lang) => document.documentElement.lang === lang, HTML_LANG[locale]);
}

async function createKey(page: Page, name: string): Promise<string> {
  await page.goto(`${baseUrl}/account/keys/new`);
  await page.waitForFunction(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter !== undefined);
  await page.fill('input[name="name"]', name);
  await page.click('button[type="submit"]:has-text("Create key")');
  await page.getByTestId("new-key-panel").waitFor();
  return (await page.getByTestId("new-key-value").textContent())?.trim() ?? "";
}

async function authorize(body: unknown) {
  const response = await fetch(`${baseUrl}/api/gateway/authorize`, { method: "POST", headers: { Authorization: `Bearer ${gatewayToken}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { error?: { code: string }; allowed_models?: string[] } };
}

describe("key limits in the browser", () => {
  it("sets limits in English and Chinese; the gateway enforces them", async () => {
    const page = await logIn(browser, DEMO.developer.email, DEMO.developer.password, { locale: "en" });
    const context = page.context();
    const name = `e2e-limits-${Date.now()}`;
    const key = await createKey(page, name);
    expect(key).toMatch(/^glmsk_/);

    await page.goto(`${baseUrl}/account/keys`);
    const row = page.locator("tr", { hasText: name });
    await row.getByRole("link", { name: /^Limits/ }).click();
    await page.waitForURL(/\/account\/keys\/[^/]+\/limits$/);
    await page.waitForFunction(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter !== undefined);
    await expect(page.getByText("Empty: no limit.").first().isVisible()).resolves.toBe(true);

    await page.fill('input[name="requestsPerMinute"]', "60");
    await page.fill('input[name="dailyTokens"]', "1,000,000");
    await page.fill('textarea[name="allowedModels"]', "gpt-4o-mini\nglm-4-plus");
    await page.fill('textarea[name="allowedCidrs"]', "203.0.113.0/33");
    await page.click('button[type="submit"]:has-text("Save limits")');
    await page.locator("#field-allowedCidrs-error").waitFor();
    expect(await page.locator("#field-allowedCidrs-error").textContent()).toContain("Not an IP address or CIDR range");
    // What was typed is kept beside the error.
    expect(await page.inputValue('input[name="dailyTokens"]')).toBe("1,000,000");
    await shoot(page, "key-limits-error-en");

    await page.fill('textarea[name="allowedCidrs"]', "203.0.113.0/24\n2001:db8::/32");
    await page.click('button[type="submit"]:has-text("Save limits")');
    await page.getByText("Limits saved.").waitFor();
    expect(await page.inputValue('input[name="requestsPerMinute"]')).toBe("60");
    await shoot(page, "key-limits-en");

    const refused = await authorize({ api_key: key, model: "some-other-model", client_ip: "203.0.113.9" });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe("model_not_allowed");
    const outside = await authorize({ api_key: key, model: "gpt-4o-mini", client_ip: "198.51.100.1" });
    expect(outside.body.error?.code).toBe("ip_not_allowed");

    await page.goto(`${baseUrl}/account/keys`);
    expect(await page.locator("tr", { hasText: name }).textContent()).toContain("60 req/min");
    await shoot(page, "keys-list-limits-en");

    // Chinese: change the rate and clear the models.
    await setLanguage(page, "zh");
    await page.locator("tr", { hasText: name }).getByRole("link", { name: /^限制/ }).click();
    await page.waitForURL(/\/limits$/);
    await page.waitForFunction(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter !== undefined);
    await page.fill('input[name="requestsPerMinute"]', "abc");
    await page.click('button[type="submit"]:has-text("保存限制")');
    await page.locator("#field-requestsPerMinute-error").waitFor();
    expect(await page.locator("#field-requestsPerMinute-error").textContent()).toBe("请输入整数，或留空。");
    await page.fill('input[name="requestsPerMinute"]', "120");
    await page.fill('textarea[name="allowedModels"]', "");
    await page.click('button[type="submit"]:has-text("保存限制")');
    await page.getByText("限制已保存").waitFor();
    await shoot(page, "key-limits-zh");
    const allowedNow = await authorize({ api_key: key, model: "some-other-model", client_ip: "203.0.113.9" });
    expect(allowedNow.status).toBe(200); // no model list any more

    await page.goto(`${baseUrl}/account/keys`);
    expect(await page.locator("tr", { hasText: name }).textContent()).toContain("每分钟 120 次请求");
    await shoot(page, "keys-list-limits-zh");

    await page.goto(`${baseUrl}/account/notifications`);
    await page.getByRole("heading", { name: "邮件提醒" }).waitFor();
    await shoot(page, "alerts-settings-zh");
    await setLanguage(page, "en");
    await page.getByRole("heading", { name: "E-mail alerts" }).waitFor();
    await shoot(page, "alerts-settings-en");
    await context.close();
  });
});
