import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { completionsCsv } from "../fixtures/usage-fixtures";
import { launchBrowser, readLatestMail, screenshot } from "./browser";

const baseUrl = inject("baseUrl");
let browser: Browser;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), "ferry-e2e-evidence-"));

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
});

async function signUpAndVerify(email: string) {
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
    expect(await page.locator("h2#reasons-title").textContent()).toBe("未通过的原因");
    await screenshot(page, "evidence-rejected-zh");
    await page.goto(`${baseUrl}/account/evidence`);
    await screenshot(page, "evidence-summary-zh");

    await page.goto(`${baseUrl}/account`);
    expect(await page.locator(".onboarding-step").first().getAttribute("class")).toContain("state-done");
    await screenshot(page, "evidence-dashboard-zh");
  });
});
