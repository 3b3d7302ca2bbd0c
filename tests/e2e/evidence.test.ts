import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { column, completionsCsv } from "../fixtures/usage-fixtures";
import { launchBrowser, readLatestMail, screenshot } from "./browser";

const baseUrl = inject("baseUrl");
let browser: Browser;
let page: Page;
const defaultPage = () => page;
const dir = mkdtempSync(join(tmpdir(), "ferry-e2e-evidence-"));

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
});

async function signUpAndVerify(email: string, page: Page = defaultPage()) {
  await page.goto(`${baseUrl}/signup`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', "correct horse battery staple 42");
  await Promise.all([page.waitForURL(/\/verify/), page.click('button[type="submit"]:not([name="locale"])')]);
  const mail = await readLatestMail(page, baseUrl, email);
  const code = mail.match(/\b(\d{6})\b/)?.[1] ?? "";
  await page.goto(`${baseUrl}/verify?${new URLSearchParams({ email })}`);
  await page.fill('input[name="code"]', code);
  await Promise.all([page.waitForURL(/\/account$/), page.click('button[name="intent"][value="verify"]')]);
}

describe("usage evidence in the browser", () => {
  it("uploads an export with progress, shows the chart, then a rejected file with reasons", async () => {
    await signUpAndVerify(`evidence-${Date.now()}@example.com`);
    await page.click('a[href="/account/evidence"]');
    await page.waitForURL(/\/account\/evidence$/);
    await screenshot(page, "evidence-empty-en");

    const good = join(dir, "completions_usage_2023.csv");
    writeFileSync(good, completionsCsv({ startDay: "2023-08-01", days: 240, rowsPerDayModel: 2, seed: 11 }));
    await page.setInputFiles("#evidence-file", good);
    await Promise.all([page.waitForURL(/\/account\/evidence\/evd_/), page.click('form[action="/account/evidence/upload"] button[type="submit"]')]);
    await expect.poll(() => page.locator(".status-badge").first().textContent()).toBe("Accepted");
    await expect.poll(() => page.locator(".usage-chart svg rect.chart-input").count()).toBe(8);
    await screenshot(page, "evidence-accepted-en");

    await page.goto(`${baseUrl}/account/evidence`);
    expect(await page.locator(".evidence-list tbody tr").count()).toBe(1);
    await screenshot(page, "evidence-summary-en");

    const bad = join(dir, "bad-rows.csv");
    writeFileSync(bad, readFileSync(new URL("../fixtures/evidence/bad-rows.csv", import.meta.url)));
    await page.setInputFiles("#evidence-file", bad);
    await Promise.all([page.waitForURL(/\/account\/evidence\/evd_/), page.click('form[action="/account/evidence/upload"] button[type="submit"]')]);
    const reasons = page.locator(".finding-reasons li");
    await expect.poll(() => reasons.count()).toBe(3);
    expect(await reasons.first().textContent()).toContain("line 3");
    await screenshot(page, "evidence-rejected-en");

    // Over the 50 MB cap: the server stops reading at the cap and still answers cleanly.
    const huge = Buffer.alloc(50 * 1024 * 1024 + 1, "1704067200,gpt-4o,1,1\n");
    huge.write("start_time,model,input_tokens,output_tokens\n");
    const response = await page.request.post(`${baseUrl}/account/evidence/upload`, {
      headers: { Accept: "application/json", Origin: baseUrl },
      multipart: { orgId: "", file: { name: "huge.csv", mimeType: "text/csv", buffer: huge } },
    });
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ ok: true, status: "rejected" });
    await page.goto(`${baseUrl}${body.location}`);
    expect(await page.locator(".finding-reasons li").first().textContent()).toContain("larger than 50 MB");
    await page.goBack();

    await page.click('.language-picker button[value="zh"]');
    await page.waitForLoadState("networkidle");
    await expect.poll(() => page.locator("h2#reasons-title").textContent()).toBe("未通过的原因");
    await screenshot(page, "evidence-rejected-zh");
    await page.goto(`${baseUrl}/account/evidence`);
    await screenshot(page, "evidence-summary-zh");

    await page.goto(`${baseUrl}/account`);
    expect(await page.locator(".onboarding-step").first().getAttribute("class")).toContain("state-done");
    await screenshot(page, "evidence-dashboard-zh");
  });

  it("shows a forgery refused for several reasons, under an unusual name, in en and zh, then removes it", async () => {
    const forgeryPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signUpAndVerify(`forgery-${Date.now()}@example.com`, forgeryPage);
    const name = '用量 "forged" <b>x =1+1.csv';
    const forged = join(dir, name);
    writeFileSync(
      forged,
      completionsCsv({
        days: 30,
        seed: 12,
        edit: (fields, index) => {
          if (index % 17 === 3) fields[column("input_tokens")] = "-250";
          if (index === 40 || index === 41) fields[column("output_tokens")] = "99999999999999999999";
          if (index === 90) fields[column("start_time")] = String(Date.parse("2030-01-01T00:00:00Z") / 1000);
        },
      }),
    );
    await forgeryPage.goto(`${baseUrl}/account/evidence`);
    await forgeryPage.setInputFiles("#evidence-file", forged);
    await Promise.all([forgeryPage.waitForURL(/\/account\/evidence\/evd_/), forgeryPage.click('form[action="/account/evidence/upload"] button[type="submit"]')]);
    const reasons = forgeryPage.locator(".finding-reasons li");
    await expect.poll(() => reasons.count()).toBe(3);
    expect(await reasons.nth(0).textContent()).toContain("negative");
    expect(await reasons.nth(0).textContent()).toContain("7 times in total");
    expect(await reasons.nth(1).textContent()).toContain("larger than any real day");
    expect(await reasons.nth(2).textContent()).toContain("after the upload date");
    // The name is shown as typed: escaped, never markup.
    expect(await forgeryPage.locator(".evidence-facts").textContent()).toContain(name);
    expect(await forgeryPage.locator(".evidence-facts b").count()).toBe(0);
    await screenshot(forgeryPage, "evidence-forged-detail-en");
    await forgeryPage.setViewportSize({ width: 390, height: 844 });
    await screenshot(forgeryPage, "evidence-forged-detail-en-390");
    const detailUrl = forgeryPage.url();

    await forgeryPage.goto(`${baseUrl}/account/evidence`);
    expect(await forgeryPage.locator(".evidence-list .file-name").first().textContent()).toBe(name);
    await screenshot(forgeryPage, "evidence-forged-list-en-390");
    await forgeryPage.setViewportSize({ width: 1280, height: 900 });
    await screenshot(forgeryPage, "evidence-forged-list-en");

    await forgeryPage.click('.language-picker button[value="zh"]');
    await expect.poll(() => forgeryPage.locator("h1").textContent()).toBe("证明您的 OpenAI 用量");
    await screenshot(forgeryPage, "evidence-forged-list-zh");
    await forgeryPage.goto(detailUrl);
    expect(await reasons.nth(1).textContent()).toContain("大于任何一天");
    await screenshot(forgeryPage, "evidence-forged-detail-zh");
    await forgeryPage.setViewportSize({ width: 390, height: 844 });
    await screenshot(forgeryPage, "evidence-forged-detail-zh-390");

    await Promise.all([forgeryPage.waitForURL(/\/account\/evidence\?removed=1$/), forgeryPage.click('form[method="post"] button:has-text("删除这条证明")')]);
    expect(await forgeryPage.locator(".evidence-list tbody tr").count()).toBe(0);
    await screenshot(forgeryPage, "evidence-forged-removed-zh-390");
    await forgeryPage.close();
  });
});
