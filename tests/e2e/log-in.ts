// Logging in through the log-in page the way a person does, operators' second factor included, for
// every browser test. The page's language comes from the language picker's cookie (which wins over
// the account's saved choice), so suites sharing a demo account never see each other's language.
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { inject } from "vitest";
import { passSecondFactor } from "./second-factor";

export type Locale = "en" | "zh";
export const HTML_LANG: Record<Locale, string> = { en: "en", zh: "zh-CN" };

export interface LogInOptions {
  /** The page language (the language cookie, set before the log-in); English unless said. */
  locale?: Locale;
  /** Viewport width in CSS pixels (default 1280). */
  width?: number;
  height?: number;
  /** Anything else the context needs. */
  context?: BrowserContextOptions;
  /** Called with the new page before the log-in (to listen to its console from the first load). */
  onPage?: (page: Page) => void;
}

/** The language picker's cookie value for `locale` (the server's cookie is base64 JSON, unsigned). */
export function languageCookieValue(locale: Locale): string {
  return encodeURIComponent(Buffer.from(JSON.stringify(locale)).toString("base64"));
}

/** Makes `page` show `locale` from its next navigation on, without touching the account's choice. */
export async function useLanguage(page: Page, locale: Locale, baseUrl = inject("baseUrl")): Promise<void> {
  await page.context().addCookies([{ name: "ferry_lang", value: languageCookieValue(locale), url: baseUrl }]);
}

/** Fills the log-in form on `page`, passes an operator's second factor, and waits to be signed in. */
export async function logInOn(page: Page, email: string, password: string, options: { locale?: Locale } = {}): Promise<void> {
  const baseUrl = inject("baseUrl");
  if (options.locale) await useLanguage(page, options.locale, baseUrl);
  await page.goto(`${baseUrl}/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form:has(input[name="password"]) button[type="submit"]').click();
  await passSecondFactor(page, email);
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  await page.waitForLoadState("load");
}

/** A new browser context of the given width, signed in as `email`. Close it with `page.context().close()`. */
export async function logIn(browser: Browser, email: string, password: string, options: LogInOptions = {}): Promise<Page> {
  const locale = options.locale ?? "en";
  const context = await browser.newContext({
    locale: locale === "zh" ? "zh-CN" : "en-US",
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    ...options.context,
  });
  const page = await context.newPage();
  options.onPage?.(page);
  await logInOn(page, email, password, { locale });
  return page;
}

/** The demo accounts' credentials (README; demo mode only). */
export const DEMO = {
  developer: { email: "developer@demo.ferry", password: "demo-developer-pass" },
  support: { email: "support@demo.ferry", password: "demo-support-pass" },
  staff: { email: "staff@demo.ferry", password: "demo-staff-pass-1" },
  admin: { email: "admin@demo.ferry", password: "demo-admin-pass-1" },
} as const;
