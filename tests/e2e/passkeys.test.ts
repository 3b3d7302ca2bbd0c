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

async function switchLanguage(page: Page, label: "English" | "简体中文", heading: string) {
  await page.getByRole("button", { name: label }).click();
  await expect.poll(() => page.locator("h1").textContent()).toBe(heading);
}

/**
 * The same waiting session in a browser without the WebAuthn API: only the code form. (The session
 * cookie is copied rather than logging in again: the suite shares one per-IP log-in limit.)
 */
async function expectNoPasskeyButtonWithoutWebAuthn(withWebAuthn: Page) {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  await context.addCookies(await withWebAuthn.context().cookies());
  await context.addInitScript(() => {
    // @ts-expect-error: a browser without the WebAuthn API
    delete window.PublicKeyCredential;
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`${baseUrl}/login/second-factor`);
  await page.locator('input[name="code"]').waitFor();
  // Once React has hydrated the form (its fiber is on the input) and a frame has passed, the
  // feature check has run: only then is the button's absence meaningful.
  await page.waitForFunction(() => Object.keys(document.querySelector('input[name="code"]') ?? {}).some((key) => key.startsWith("__reactFiber")));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
  await expect(page.getByRole("button", { name: TEXT.en.usePasskey }).count()).resolves.toBe(0);
  await expect(page.locator('input[name="code"]').count()).resolves.toBe(1);
}

// Frugal with log-ins: the whole browser suite shares the per-IP log-in and code limits (all of it
// comes from 127.0.0.1), so one account does both languages, switching with the picker.
describe("passkeys", () => {
  it("an operator adds a passkey after a code log-in, then passes the second step with it", async () => {
    const email = await operatorWithApp("en");
    const page = await newPage("en");
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page);

    await passwordStep(page, email);
    await passSecondFactor(page, email);
    await page.goto(`${baseUrl}/account/security`);
    const section = page.getByTestId("passkeys");
    await section.locator('input[name="name"]').fill("Work laptop");
    await section.getByRole("button", { name: TEXT.en.add }).click();
    await section.getByText(TEXT.en.added).waitFor();
    await expect.poll(() => section.locator(".passkey-list li").count()).toBe(1);
    await expect(section.locator(".passkey-list").textContent()).resolves.toContain("Work laptop");
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(credentials).toHaveLength(1);
    await atBothWidths(page, "passkeys-en-01-security");
    await switchLanguage(page, "简体中文", "两步登录");
    await section.getByText("Work laptop").waitFor();
    await atBothWidths(page, "passkeys-zh-01-security");
    await switchLanguage(page, "English", "Two-step sign-in");

    await logOut(page);
    await passwordStep(page, email);
    await page.getByRole("button", { name: TEXT.en.usePasskey }).waitFor();
    await expectNoPasskeyButtonWithoutWebAuthn(page);
    await atBothWidths(page, "passkeys-en-02-second-factor");
    await switchLanguage(page, "简体中文", "两步登录");
    const button = page.getByRole("button", { name: TEXT.zh.usePasskey });
    await button.waitFor();
    await atBothWidths(page, "passkeys-zh-02-second-factor");
    await button.click();
    await page.waitForURL(/\/staff\/claims$/);
    const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(after.credentials[0]!.signCount).toBeGreaterThan(credentials[0]!.signCount);

    // The full session reaches operator pages; the passkey can be removed (the app stays).
    await page.goto(`${baseUrl}/staff/claims`);
    expect(new URL(page.url()).pathname).toBe("/staff/claims");
    await page.goto(`${baseUrl}/account/security`);
    await section.getByRole("button", { name: TEXT.zh.remove }).click();
    await section.getByText(TEXT.zh.removed).waitFor();
    await expect.poll(() => section.locator(".passkey-list li").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
