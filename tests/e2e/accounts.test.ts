// A person signs up, reads the code from the outbox, verifies, logs out, logs in, resets the
// password — once in English and once in Chinese — with a screenshot of every screen.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, readLatestMail, screenshot } from "./browser";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const TEXT = {
  en: { signUp: "Create account", verify: "Confirm e-mail", dashboard: "Dashboard", logOut: "Log out", logIn: "Log in", forgot: "Send reset link", reset: "Set new password", resetDone: "Your password has been changed", common: "too common" },
  zh: { signUp: "创建账号", verify: "确认邮箱", dashboard: "控制台", logOut: "退出登录", logIn: "登录", forgot: "发送重置链接", reset: "保存新密码", resetDone: "密码已修改", common: "过于常见" },
} as const;

async function newPage(locale: "en" | "zh"): Promise<Page> {
  const context = await browser.newContext({ locale: locale === "zh" ? "zh-CN" : "en-US", viewport: { width: 1200, height: 860 } });
  return context.newPage();
}

for (const locale of ["en", "zh"] as const) {
  describe(`accounts in ${locale}`, () => {
    it("sign up → verify → log out → log in → reset password", async () => {
      const text = TEXT[locale];
      const page = await newPage(locale);
      const email = `e2e-${locale}-${Date.now()}@example.com`;
      const password = "a sturdy passphrase for ferry 1";

      await page.goto(`${baseUrl}/`);
      await screenshot(page, `${locale}-01-landing`);
      expect(await page.locator("html").getAttribute("lang")).toBe(locale === "zh" ? "zh-CN" : "en");

      await page.goto(`${baseUrl}/signup`);
      await page.getByLabel(locale === "zh" ? "邮箱" : "E-mail").fill(email);
      await page.getByLabel(locale === "zh" ? "密码" : "Password", { exact: true }).fill("123456654321");
      await page.getByRole("button", { name: text.signUp }).click();
      await expect.poll(() => page.locator(".field-error").textContent()).toContain(text.common);
      await screenshot(page, `${locale}-02-signup-error`);

      await page.getByLabel(locale === "zh" ? "密码" : "Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: text.signUp }).click();
      await page.waitForURL(/\/verify\?email=/);
      await screenshot(page, `${locale}-03-verify`);

      const verifyUrl = page.url();
      const mail = await readLatestMail(page, baseUrl, email);
      await screenshot(page, `${locale}-04-outbox`);
      const code = mail.match(/\b(\d{6})\b/)?.[1];
      expect(code).toMatch(/^\d{6}$/);

      await page.goto(verifyUrl);
      await page.getByLabel(locale === "zh" ? "验证码" : "Code").fill(code!);
      await page.getByRole("button", { name: text.verify }).click();
      await page.waitForURL(/\/account$/);
      await expect.poll(() => page.locator("h1").textContent()).toBe(text.dashboard);
      await screenshot(page, `${locale}-05-dashboard`);

      await page.getByRole("button", { name: text.logOut }).click();
      await page.waitForURL(/\/login/);
      await screenshot(page, `${locale}-06-logged-out`);
      await page.goto(`${baseUrl}/account`);
      await page.waitForURL(/\/login\?redirectTo=%2Faccount/);

      await page.getByLabel(locale === "zh" ? "邮箱" : "E-mail").fill(email);
      await page.getByLabel(locale === "zh" ? "密码" : "Password").fill("not the password at all");
      await page.getByRole("button", { name: text.logIn, exact: true }).click();
      await expect.poll(() => page.locator(".alert-error").count()).toBe(1);
      await screenshot(page, `${locale}-07-login-error`);
      await page.getByLabel(locale === "zh" ? "密码" : "Password").fill(password);
      await page.getByRole("button", { name: text.logIn, exact: true }).click();
      await page.waitForURL(/\/account$/);
      await page.getByRole("button", { name: text.logOut }).click();
      await page.waitForURL(/\/login/);

      await page.goto(`${baseUrl}/forgot-password`);
      await page.getByLabel(locale === "zh" ? "邮箱" : "E-mail").fill(email);
      await page.getByRole("button", { name: text.forgot }).click();
      await expect.poll(() => page.locator(".alert-info").count()).toBe(1);
      await screenshot(page, `${locale}-08-forgot-sent`);
      const resetMail = await readLatestMail(page, baseUrl, email);
      const link = resetMail.match(/https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+/)?.[0];
      expect(link).toBeDefined();

      await page.goto(link!);
      await screenshot(page, `${locale}-09-reset`);
      const newPassword = "an even sturdier passphrase 2";
      await page.getByLabel(locale === "zh" ? "新密码" : "New password", { exact: true }).fill(newPassword);
      await page.getByLabel(locale === "zh" ? "再次输入新密码" : "Repeat the new password").fill(newPassword);
      await page.getByRole("button", { name: text.reset }).click();
      await page.waitForURL(/\/login\?notice=reset/);
      await expect.poll(() => page.locator(".alert-info").textContent()).toContain(text.resetDone);
      await screenshot(page, `${locale}-10-reset-done`);

      await page.getByLabel(locale === "zh" ? "邮箱" : "E-mail").fill(email);
      await page.getByLabel(locale === "zh" ? "密码" : "Password").fill(newPassword);
      await page.getByRole("button", { name: text.logIn, exact: true }).click();
      await page.waitForURL(/\/account$/);
      await page.context().close();
    });
  });
}

describe("language picker", () => {
  it("switches an English page to Chinese and remembers it", async () => {
    const page = await newPage("en");
    await page.goto(`${baseUrl}/login`);
    await page.getByRole("button", { name: "简体中文" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("登录");
    await page.goto(`${baseUrl}/signup`);
    expect(await page.locator("h1").textContent()).toBe("创建账号");
    await screenshot(page, "zh-11-picker");
    await page.context().close();
  });

  it("shows the mobile layout without horizontal scrolling", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "en-12-mobile-landing");
    await context.close();
  });
});
