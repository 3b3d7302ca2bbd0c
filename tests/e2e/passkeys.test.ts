// Passkeys in Chromium with its virtual authenticator (CDP WebAuthn domain): an operator who logged
// in with a code adds a passkey on the security page, logs out, and passes the second step with
// the passkey; the signature counter moves forward; removal. Screenshots at 1280 and 390 px,
// English and Chinese. A browser without WebAuthn (the API removed) sees no passkey button.
import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { enrolTotpWithKnownSecret } from "~/domain/two-factor.server";
import { generateTotpSecret } from "~/domain/totp";
import { createDatabase, type Db } from "~/lib/db.server";
import { launchBrowser, screenshot } from "./browser";
import { passSecondFactor, rememberTotpSecret } from "./second-factor";

const baseUrl = inject("baseUrl");
const PASSWORD = "correct horse battery staple 42";
let browser: Browser;
let db: Db;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

const TEXT = {
  en: { usePasskey: "Use a passkey", add: "Add a passkey", remove: "Remove", added: "Passkey added.", removed: "Passkey removed." },
  zh: { usePasskey: "使用通行密钥", add: "添加通行密钥", remove: "移除", added: "已添加通行密钥。", removed: "已移除通行密钥。" },
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

async function newPage(locale: "en" | "zh"): Promise<Page> {
  const context = await browser.newContext({ locale: locale === "zh" ? "zh-CN" : "en-US", viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  // A script error stops hydration, and with it every passkey button: none may happen.
  page.on("pageerror", (error) => pageErrors.push(error.message));
  return page;
}

async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { cdp, authenticatorId };
}

async function operatorWithApp(locale: "en" | "zh"): Promise<string> {
  const email = `staff-passkey-${locale}-${randomBytes(4).toString("hex")}@example.com`;
  const user = await createAccount(db, { email, password: PASSWORD, role: "staff", verified: true, locale });
  const secret = generateTotpSecret();
  await enrolTotpWithKnownSecret(db, user.id, secret);
  rememberTotpSecret(email, secret);
  return email;
}

async function passwordStep(page: Page, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('main button[type="submit"]').click();
  await page.waitForURL(/\/login\/second-factor/);
}

async function logOut(page: Page) {
  await page.goto(`${baseUrl}/account`);
  await page.locator('form[action="/logout"] button').first().click();
  await page.waitForURL(/\/login/);
}

async function atBothWidths(page: Page, name: string) {
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

for (const locale of ["en", "zh"] as const) {
  describe(`passkeys in ${locale}`, () => {
    it("an operator adds a passkey after a code log-in, then passes the second step with it", async () => {
      const text = TEXT[locale];
      const email = await operatorWithApp(locale);
      const page = await newPage(locale);
      const { cdp, authenticatorId } = await addVirtualAuthenticator(page);

      await passwordStep(page, email);
      await passSecondFactor(page, email);
      await page.goto(`${baseUrl}/account/security`);
      const section = page.getByTestId("passkeys");
      await section.locator('input[name="name"]').fill("Work laptop");
      await section.getByRole("button", { name: text.add }).click();
      await section.getByText(text.added).waitFor();
      await expect.poll(() => section.locator(".passkey-list li").count()).toBe(1);
      await expect(section.locator(".passkey-list").textContent()).resolves.toContain("Work laptop");
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      expect(credentials).toHaveLength(1);
      await atBothWidths(page, `passkeys-${locale}-01-security`);

      await logOut(page);
      await passwordStep(page, email);
      const button = page.getByRole("button", { name: text.usePasskey });
      await button.waitFor();
      await atBothWidths(page, `passkeys-${locale}-02-second-factor`);
      await button.click();
      await page.waitForURL(/\/account$/);
      const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      expect(after.credentials[0]!.signCount).toBeGreaterThan(credentials[0]!.signCount);

      // The full session reaches operator pages; the passkey shows it was used.
      await page.goto(`${baseUrl}/staff/claims`);
      expect(new URL(page.url()).pathname).toBe("/staff/claims");
      await page.goto(`${baseUrl}/account/security`);
      await section.getByRole("button", { name: text.remove }).click();
      await section.getByText(text.removed).waitFor();
      await expect.poll(() => section.locator(".passkey-list li").count()).toBe(0);
      expect(pageErrors).toEqual([]);
    });
  });
}

describe("without WebAuthn", () => {
  it("the second step offers no passkey button, only the code form", async () => {
    const email = await operatorWithApp("en");
    const withPasskey = await newPage("en");
    await addVirtualAuthenticator(withPasskey);
    await passwordStep(withPasskey, email);
    await passSecondFactor(withPasskey, email);
    await withPasskey.goto(`${baseUrl}/account/security`);
    await withPasskey.getByTestId("passkeys").locator('input[name="name"]').fill("Phone");
    await withPasskey.getByRole("button", { name: TEXT.en.add }).click();
    await withPasskey.getByText(TEXT.en.added).waitFor();

    const page = await newPage("en");
    await page.addInitScript(() => {
      // @ts-expect-error: a browser without the WebAuthn API
      delete window.PublicKeyCredential;
    });
    await passwordStep(page, email);
    await page.locator('input[name="code"]').waitFor();
    // Once React has hydrated the form (its fiber is on the input) and a frame has passed, the
    // feature check has run: only then is the button's absence meaningful.
    await page.waitForFunction(() => Object.keys(document.querySelector('input[name="code"]') ?? {}).some((key) => key.startsWith("__reactFiber")));
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
    await expect(page.getByRole("button", { name: TEXT.en.usePasskey }).count()).resolves.toBe(0);
    await expect(page.locator('input[name="code"]').count()).resolves.toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
