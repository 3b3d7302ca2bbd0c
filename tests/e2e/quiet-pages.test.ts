// Pages that stay quiet in the browser, in English and Chinese: the landing page hydrates without a
// React error (#345, #418), a wrong password or a wrong number is shown beside the form without a
// console error (the answer is a page, not a failed request), and an action on an index route
// leaves no `?index` in the address bar.
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { createApiKey } from "~/domain/api-keys.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { launchBrowser, screenshot } from "./browser";
import { logIn, useLanguage, type Locale } from "./log-in";
import { settled, watchConsole } from "./page-checks";

const baseUrl = inject("baseUrl");
const PASSWORD = "correct horse battery staple 42";
const LOCALES: Locale[] = ["en", "zh"];
const TEXT = {
  en: { wrongPassword: "do not match", wholeNumber: "whole number", save: "Save limits", revoke: "Revoke", revoked: "is revoked" },
  zh: { wrongPassword: "邮箱或密码不正确", wholeNumber: "请输入整数", save: "保存限制", revoke: "吊销", revoked: "已吊销" },
} as const;

let db: Db;
let browser: Browser;

async function developer(locale: Locale): Promise<{ email: string; keyId: string }> {
  const email = `quiet-${locale}-${randomBytes(4).toString("hex")}@example.com`;
  const user = await createAccount(db, { email, password: PASSWORD, role: "developer", verified: true, locale });
  const created = await createApiKey(db, { accountId: user.id, name: `quiet ${locale}`, prefix: "glmsk" });
  if (!created.ok) throw new Error(created.reason);
  return { email, keyId: created.apiKey.id };
}

beforeAll(async () => {
  db = createDatabase(inject("databaseUrl"));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
});

describe.each(LOCALES)("quiet pages in %s", (locale) => {
  const text = TEXT[locale];

  it("the landing page hydrates without an error at 390 and 1280 px", async () => {
    for (const width of [390, 1280]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      const watcher = watchConsole(page);
      await useLanguage(page, locale);
      await page.goto(`${baseUrl}/`);
      await settled(page);
      // Hydrated: the router is there and answered the first navigation.
      expect(await page.evaluate(() => typeof (window as unknown as { __remixRouter?: unknown }).__remixRouter)).toBe("object");
      expect(watcher.take()).toEqual([]);
      await screenshot(page, `quiet-landing-${locale}-${width}`);
      await context.close();
    }
  });

  it("a wrong password is shown on the log-in page without a console error", async () => {
    const { email } = await developer(locale);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const watcher = watchConsole(page);
    await useLanguage(page, locale);
    await page.goto(`${baseUrl}/login`);
    await page.locator('input[name="email"]').fill(email);
    await page.locator('input[name="password"]').fill("not the password at all");
    await page.locator('form:has(input[name="password"]) button[type="submit"]').click();
    await page.getByRole("alert").filter({ hasText: text.wrongPassword }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(watcher.take()).toEqual([]);
    await context.close();
  });

  it("a wrong number in a form is shown beside its field without a console error", async () => {
    const { email, keyId } = await developer(locale);
    const page = await logIn(browser, email, PASSWORD, { locale });
    const watcher = watchConsole(page);
    await page.goto(`${baseUrl}/account/keys/${keyId}/limits`);
    await settled(page);
    await page.fill('input[name="requestsPerMinute"]', "abc");
    await page.getByRole("button", { name: text.save }).click();
    await page.locator("#field-requestsPerMinute-error").waitFor();
    expect(await page.locator("#field-requestsPerMinute-error").textContent()).toContain(text.wholeNumber);
    expect(watcher.take()).toEqual([]);
    await page.context().close();
  });

  it("revoking a key on the keys page (an index route) leaves a clean address", async () => {
    const { email, keyId } = await developer(locale);
    const page = await logIn(browser, email, PASSWORD, { locale });
    const watcher = watchConsole(page);
    await page.goto(`${baseUrl}/account/keys`);
    await settled(page);
    page.once("dialog", (dialog) => void dialog.accept());
    await page.locator(`tr[data-key-id="${keyId}"]`).getByRole("button", { name: text.revoke }).click();
    await page.getByRole("status").filter({ hasText: text.revoked }).waitFor();
    await settled(page);
    expect(page.url()).toBe(`${baseUrl}/account/keys`);
    expect(watcher.take()).toEqual([]);
    // The address can be reloaded and shared: it shows the keys page, the key revoked.
    await page.reload();
    expect(await page.locator(`tr[data-key-id="${keyId}"] .key-status`).textContent()).toBe(locale === "en" ? "Revoked" : "已吊销");
    await page.context().close();
  });
});
