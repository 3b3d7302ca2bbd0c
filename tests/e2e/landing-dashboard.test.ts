// The offer before the upload (landing page, a new developer's dashboard) and the dashboard as the
// account's state (the seeded demo developers), in English and Chinese, at 1280 and 390 px; and an
// operator who logs in lands on their own home.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "./browser";
import { logIn } from "./log-in";

const baseUrl = inject("baseUrl");
const WIDTHS = [1280, 390] as const;
const LOCALES = ["en", "zh"] as const;
type Locale = (typeof LOCALES)[number];
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

async function newPage(width: number, locale: Locale): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: locale === "zh" ? "zh-CN" : "en-US" });
  contexts.push(context);
  return context.newPage();
}

async function useLanguage(page: Page, locale: Locale) {
  const wanted = locale === "zh" ? "zh-CN" : "en";
  if ((await page.locator("html").getAttribute("lang")) === wanted) return;
  await Promise.all([page.waitForLoadState("load"), page.click(`form.language-picker button[value="${locale}"]`)]);
  await page.waitForSelector(`html[lang="${wanted}"]`);
}

/** Nothing of `selector` sticks out of the viewport sideways (a phone would have to scroll). */
async function fitsWidth(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluateAll((nodes) => nodes.every((node) => node.getBoundingClientRect().right <= window.innerWidth + 1));
}


const TEXT = {
  en: { formula: "Free credit = 100% of your average monthly OpenAI API tokens", bounds: "At least 1,000,000 Tokens, at most 150,000,000 Tokens.", example: "Credit: 3,000,000 Tokens, usable for 90 days." },
  zh: { formula: "月均 Tokens 用量的 100%", bounds: "最少 1,000,000 Tokens，最多 150,000,000 Tokens。", example: "额度：3,000,000 Tokens，90 天内有效。" },
} as const;

describe("the landing page says what the program gives", () => {
  for (const locale of LOCALES) {
    for (const width of WIDTHS) {
      it(`in ${locale} at ${width} px`, async () => {
        const page = await newPage(width, locale);
        await page.goto(`${baseUrl}/`);
        await useLanguage(page, locale);
        const offer = page.getByTestId("program-offer");
        await offer.waitFor();
        expect(await page.getByTestId("offer-formula").textContent()).toContain(TEXT[locale].formula);
        expect(await page.getByTestId("offer-bounds").textContent()).toBe(TEXT[locale].bounds);
        expect(await page.getByTestId("offer-example-result").textContent()).toContain(TEXT[locale].example);
        expect(await page.getByTestId("offer-models").textContent()).toContain("glm-4-flash");
        expect(await fitsWidth(page, '[data-testid="program-offer"], [data-testid="program-offer"] *')).toBe(true);
        await screenshot(page, `landing-${locale}-${width}`);
      });
    }
  }
});

describe("the dashboard shows the account's state", () => {
  const DEVELOPERS = [
    { email: "developer@demo.ferry", state: "granted", next: "see_usage" },
    { email: "in-review@demo.ferry", state: "in_review", next: "wait_review" },
    { email: "needs-info@demo.ferry", state: "needs_info", next: "answer_staff" },
    { email: "rejected@demo.ferry", state: "rejected", next: "new_evidence" },
    { email: "newcomer@demo.ferry", state: "none", next: "upload_evidence" },
  ] as const;

  for (const developer of DEVELOPERS) {
    it(`${developer.email}: ${developer.state}, next ${developer.next}, in both languages and widths`, async () => {
      for (const locale of LOCALES) {
        for (const width of WIDTHS) {
          // The language cookie: the shared demo accounts' saved choice stays as it is.
          const page = await logIn(browser, developer.email, "demo-developer-pass", { locale, width });
          contexts.push(page.context());
          expect(new URL(page.url()).pathname).toBe("/account");
          const next = page.getByTestId("next-step");
          await next.waitFor();
          expect(await next.getAttribute("data-claim-state")).toBe(developer.state);
          expect(await next.getAttribute("data-next-action")).toBe(developer.next);
          if (developer.state === "granted") {
            await page.getByTestId("dashboard-usage").waitFor();
            expect(await page.locator('[data-testid="dashboard-usage"] li[data-tokens]').count()).toBe(7);
            expect(await page.getByTestId("dashboard-expiry").textContent()).toMatch(locale === "en" ? /expire on/ : /到期/);
          }
          if (developer.state === "rejected") expect(await page.getByTestId("dashboard-claim-reason").textContent()).toContain("another company");
          if (developer.state === "needs_info") expect(await page.getByTestId("dashboard-claim-message").textContent()).toContain("cost export");
          if (developer.state === "none") await page.getByTestId("program-offer").waitFor();
          expect(await fitsWidth(page, '[data-testid="next-step"], .dashboard-grid, .dashboard-grid *')).toBe(true);
          await screenshot(page, `dashboard-${developer.state}-${locale}-${width}`);
          await page.context().close();
        }
      }
    });
  }
});

describe("operators land on their own home", () => {
  for (const [email, password, home] of [
    ["staff@demo.ferry", "demo-staff-pass-1", "/staff/claims"],
    ["support@demo.ferry", "demo-support-pass", "/support"],
    ["admin@demo.ferry", "demo-admin-pass-1", "/admin"],
  ] as const) {
    it(`${email} → ${home}`, async () => {
      const page = await logIn(browser, email, password);
      contexts.push(page.context());
      expect(new URL(page.url()).pathname).toBe(home);
      await page.context().close();
    });
  }
});
