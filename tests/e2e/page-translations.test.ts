// A page carries its own language only, and only its routes' namespaces; the log-in page is plain
// HTML; a client-side navigation or a language switch fetches the strings the next page needs.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { en, zh } from "~/locales";
import { launchBrowser, screenshot } from "./browser";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const cookiesOf = (response: Response) => response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]!);

/** A signed-in developer whose pages come in `locale` (cookie header). */
async function developerCookies(locale: "en" | "zh"): Promise<string> {
  const form = (fields: Record<string, string>) => ({ method: "POST", redirect: "manual" as const, headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl }, body: new URLSearchParams(fields) });
  const login = await fetch(`${baseUrl}/login`, form({ email: "developer@demo.ferry", password: "demo-developer-pass", redirectTo: "/account" }));
  expect(login.status).toBe(302);
  const session = cookiesOf(login).filter((cookie) => !cookie.endsWith("="));
  const language = await fetch(`${baseUrl}/set-language`, { ...form({ locale, redirectTo: "/account" }), headers: { ...form({}).headers, Cookie: session.join("; ") } });
  return [...session, ...cookiesOf(language)].join("; ");
}

/** Every /build/*.js the HTML names and everything they import statically, as text. */
async function scriptsOf(html: string): Promise<string[]> {
  const queue = [...new Set(html.match(/\/build\/[\w./-]+\.js/g) ?? [])];
  const seen = new Map<string, string>();
  while (queue.length > 0) {
    const url = queue.pop()!;
    if (seen.has(url)) continue;
    const text = await (await fetch(`${baseUrl}${url}`)).text();
    seen.set(url, text);
    for (const match of text.matchAll(/(?:from|import)\s*"(\/build\/[\w./-]+\.js)"/g)) queue.push(match[1]!);
  }
  return [...seen.values()];
}

/** The page's strings: the one /texts/ script it names (cached by the browser for good). */
async function payloadOf(html: string): Promise<{ locale: string; strings: Record<string, unknown> }> {
  const sources = [...html.matchAll(/<script[^>]* src="(\/texts\/[^"]+)"/g)].map((match) => match[1]!);
  expect(sources, "the page's translation payload").toHaveLength(1);
  const response = await fetch(`${baseUrl}${sources[0]}`);
  expect(response.status).toBe(200);
  expect(response.headers.get("cache-control")).toContain("immutable");
  expect(response.headers.get("content-type")).toContain("text/javascript");
  const json = (await response.text()).match(/^window\.__ferryTranslations=(\{.*\});$/)?.[1];
  expect(json, "the payload script's JSON").toBeDefined();
  return JSON.parse(json!);
}

describe("what a page downloads", () => {
  it("serves the log-in page as plain HTML in the visitor's language", async () => {
    const html = await (await fetch(`${baseUrl}/login`, { headers: { "Accept-Language": "zh-CN" } })).text();
    expect(html).toContain(zh.auth.logIn.title);
    expect(html).not.toContain(en.auth.logIn.forgot);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/modulepreload/);
  });

  for (const locale of ["en", "zh"] as const) {
    it(`gives /account its namespaces in ${locale} only, and keeps strings and zod out of its scripts`, async () => {
      const html = await (await fetch(`${baseUrl}/account`, { headers: { Cookie: await developerCookies(locale) } })).text();
      const payload = await payloadOf(html);
      expect(payload.locale).toBe(locale);
      expect(Object.keys(payload.strings).sort()).toEqual(["account", "claims", "common", "dashboard", "errors", "evidence", "offer", "review"]);
      const mine = locale === "zh" ? zh : en;
      const other = locale === "zh" ? en : zh;
      expect(payload.strings.common).toEqual(mine.common);
      expect(html).not.toContain(other.common.footer.slice(0, 20));
      expect(html).not.toContain(mine.admin.policy.lead.slice(0, 20));
      const scripts = await scriptsOf(html);
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) {
        for (const dictionary of [en, zh]) {
          expect(script).not.toContain(dictionary.common.footer.slice(0, 20));
          expect(script).not.toContain(dictionary.evidence.upload.title);
        }
        expect(script).not.toContain("ZodError");
      }
    });
  }
});

describe("strings arriving with the route", () => {
  it("switches language and navigates client-side without showing a raw key", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.fill('input[name="email"]', "developer@demo.ferry");
    await page.fill('input[name="password"]', "demo-developer-pass");
    await Promise.all([page.waitForURL(`${baseUrl}/account`), page.click('form:has(input[name="password"]) button[type="submit"]')]);
    await page.locator('form[action="/set-language"] button[value="en"]').click();
    await page.waitForFunction(() => document.documentElement.lang === "en");
    // A language switch is a client-side revalidation: the Chinese strings arrive before the page shows them.
    await page.locator('form[action="/set-language"] button[value="zh"]').click();
    await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
    await expect.poll(() => page.locator("footer").textContent()).toContain(zh.common.footer.slice(0, 8));
    // A client-side navigation to a page with a namespace this page did not have.
    await page.locator(`nav a[href="/account/keys"]`).click();
    await page.waitForURL(`${baseUrl}/account/keys`);
    await expect.poll(() => page.locator("main h1").first().textContent()).toBe(zh.keys.title);
    expect(await page.title()).toContain(zh.keys.title);
    const text = (await page.locator("body").innerText()) ?? "";
    expect(text).not.toMatch(/\b(keys|common|errors|account)\.[a-zA-Z]+\.[a-zA-Z]/);
    await screenshot(page, "page-translations-keys-zh");
    await page.locator('form[action="/set-language"] button[value="en"]').click();
    await page.waitForFunction(() => document.documentElement.lang === "en");
    await expect.poll(() => page.locator("main h1").first().textContent()).toBe(en.keys.title);
    await context.close();
  });
});
