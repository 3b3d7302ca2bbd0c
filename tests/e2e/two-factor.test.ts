// Two-step sign-in in Chromium: an operator's forced enrolment (the code computed from the secret
// the page shows), log-in with a code, log-in with a recovery code, and the sessions page where
// another browser's session is ended. Screenshots at 1280 and 390 px, English and Chinese.
import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { launchBrowser, screenshot } from "./browser";
import { nextTotpCode, rememberTotpSecret } from "./second-factor";

const baseUrl = inject("baseUrl");
const PASSWORD = "correct horse battery staple 42";
let browser: Browser;
let db: Db;
const contexts: BrowserContext[] = [];

const TEXT = {
  en: { enrolTitle: "Set up two-step sign-in", verifyTitle: "Two-step sign-in", sessions: "Sessions", thisBrowser: "This browser" },
  zh: { enrolTitle: "设置两步登录", verifyTitle: "两步登录", sessions: "会话", thisBrowser: "当前浏览器" },
} as const;

beforeAll(async () => {
  db = createDatabase(inject("databaseUrl"));
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await db?.destroy();
});

async function newPage(locale: "en" | "zh", userAgent?: string): Promise<Page> {
  const context = await browser.newContext({ locale: locale === "zh" ? "zh-CN" : "en-US", viewport: { width: 1280, height: 900 }, userAgent });
  contexts.push(context);
  return context.newPage();
}

async function passwordStep(page: Page, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('main button[type="submit"]').click();
  await page.waitForURL(/\/login\/(enrol|second-factor)/);
}

async function atBothWidths(page: Page, name: string) {
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function logOut(page: Page) {
  await page.goto(`${baseUrl}/account`);
  await page.locator('form[action="/logout"] button').first().click();
  await page.waitForURL(/\/login/);
}

for (const locale of ["en", "zh"] as const) {
  describe(`two-step sign-in in ${locale}`, () => {
    it("a new staff member enrols at first log-in, then logs in with a code and with a recovery code", async () => {
      const text = TEXT[locale];
      const email = `staff-2fa-${locale}-${randomBytes(4).toString("hex")}@example.com`;
      await createAccount(db, { email, password: PASSWORD, role: "staff", verified: true, locale });
      const page = await newPage(locale);

      await passwordStep(page, email);
      expect(new URL(page.url()).pathname).toBe("/login/enrol");
      await page.getByRole("heading", { level: 1, name: text.enrolTitle }).waitFor();
      // Nothing else is reachable before enrolment.
      await page.goto(`${baseUrl}/staff/claims`);
      await page.waitForURL(/\/login\/enrol/);
      await expect(page.locator(".qr-code svg").count()).resolves.toBe(1);
      await atBothWidths(page, `2fa-${locale}-01-enrol`);

      rememberTotpSecret(email, (await page.getByTestId("totp-secret").textContent()) ?? "");
      await page.locator('input[name="code"]').fill("000000");
      await page.locator('main button[type="submit"]').first().click();
      await page.locator(".field-error").waitFor();
      await page.locator('input[name="code"]').fill(nextTotpCode(email));
      await page.locator('main button[type="submit"]').first().click();
      const codes = page.getByTestId("recovery-codes").locator("li code");
      await codes.first().waitFor();
      const recoveryCodes = await codes.allTextContents();
      expect(recoveryCodes).toHaveLength(10);
      await atBothWidths(page, `2fa-${locale}-02-recovery-codes`);
      await page.getByTestId("recovery-codes").locator("a.button").click();
      await page.waitForURL(/\/staff\/claims/);

      await logOut(page);
      await passwordStep(page, email);
      expect(new URL(page.url()).pathname).toBe("/login/second-factor");
      await page.getByRole("heading", { level: 1, name: text.verifyTitle }).waitFor();
      await atBothWidths(page, `2fa-${locale}-03-code-prompt`);
      await page.locator('input[name="code"]').fill(nextTotpCode(email));
      await page.locator('main button[type="submit"]').first().click();
      await page.waitForURL(/\/staff\/claims$/);

      await logOut(page);
      await passwordStep(page, email);
      await page.locator('input[name="code"]').fill(recoveryCodes[0]!);
      await page.locator('main button[type="submit"]').first().click();
      await page.waitForURL(/\/staff\/claims$/);
      await page.goto(`${baseUrl}/account/security`);
      await expect(page.getByTestId("two-factor-status").textContent()).resolves.toMatch(locale === "en" ? /On/ : /已开启/);
      await atBothWidths(page, `2fa-${locale}-04-security`);
    });

    it("the sessions page lists both browsers and ends the other one", async () => {
      const text = TEXT[locale];
      const email = `dev-sessions-${locale}-${randomBytes(4).toString("hex")}@example.com`;
      await createAccount(db, { email, password: PASSWORD, role: "developer", verified: true, locale });
      const phone = await newPage(locale, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1");
      const laptop = await newPage(locale);
      for (const page of [phone, laptop]) {
        await page.goto(`${baseUrl}/login`);
        await page.locator('input[name="email"]').fill(email);
        await page.locator('input[name="password"]').fill(PASSWORD);
        await page.locator('main button[type="submit"]').click();
        await page.waitForURL(/\/account$/);
      }
      await laptop.goto(`${baseUrl}/account/sessions`);
      await laptop.getByRole("heading", { level: 1, name: text.sessions }).waitFor();
      const rows = laptop.getByTestId("session-row");
      await expect(rows.count()).resolves.toBe(2);
      await expect(rows.first().textContent()).resolves.toContain(text.thisBrowser);
      await expect(rows.nth(1).textContent()).resolves.toContain("Safari");
      await atBothWidths(laptop, `2fa-${locale}-05-sessions`);

      await rows.nth(1).locator("button").click();
      await expect.poll(() => rows.count()).toBe(1);
      await phone.goto(`${baseUrl}/account`);
      await phone.waitForURL(/\/login\?redirectTo=/);
    });
  });
}
