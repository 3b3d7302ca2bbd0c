// An OpenAI invoice (PDF, generated) uploaded in Chromium: the developer's evidence pages, the
// claim waiting for staff, the staff claim page and support's account story, in English and Chinese.
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { encryptedInvoicePdf, invoicePdf } from "../fixtures/invoice-pdf";
import { launchBrowser, screenshot } from "./browser";
import { DEMO, logIn } from "./log-in";

const baseUrl = inject("baseUrl");
const PASSWORD = "correct horse battery staple 42";
const dir = mkdtempSync(join(tmpdir(), "ferry-e2e-invoice-"));

let db: Db;
let browser: Browser;

async function setLanguage(page: Page, label: "English" | "简体中文") {
  await page.getByRole("button", { name: label }).click();
  await page.waitForSelector(`html[lang="${label === "English" ? "en" : "zh-CN"}"]`);
  await page.waitForLoadState("networkidle");
}

async function uploadFile(page: Page, path: string) {
  await page.goto(`${baseUrl}/account/evidence`);
  await page.setInputFiles("#evidence-file", path);
  await Promise.all([page.waitForURL(/\/account\/evidence\/evd_/), page.click('form[action="/account/evidence/upload"] button[type="submit"]')]);
}

beforeAll(async () => {
  db = createDatabase(inject("databaseUrl"));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
});

const email = `invoice-${randomBytes(4).toString("hex")}@example.com`;

describe("OpenAI invoice evidence in the browser", () => {
  it("a developer uploads a generated invoice PDF and claims; the claim waits for staff", async () => {
    await createAccount(db, { email, password: PASSWORD, role: "developer", verified: true });
    const developer = await logIn(browser, email, PASSWORD);

    const invoice = join(dir, "Invoice-7F3A9C21-0002.pdf");
    writeFileSync(
      invoice,
      await invoicePdf({
        invoiceNumber: "7F3A9C21-0002",
        issued: "June 1, 2024",
        amountDue: "$1,482.60 USD",
        billTo: ["Lumen Data Co., Ltd.", "88 Century Avenue", "Shanghai 200120", "China", "ops@lumen.example"],
        orgId: "org-Lumen7Hq2x9Kd3PzR",
        items: [
          { description: "ChatGPT API usage", period: "API usage — May 1 – May 31, 2024", amount: "$1,402.60" },
          { description: "Fine-tuning", period: "API usage — May 1 – May 31, 2024", amount: "$80.00" },
        ],
      }),
    );
    await uploadFile(developer, invoice);
    await expect.poll(() => developer.locator(".status-badge").first().textContent()).toBe("Accepted");
    const facts = developer.getByTestId("invoice-facts");
    await expect(facts.textContent()).resolves.toContain("7F3A9C21-0002");
    await expect(facts.textContent()).resolves.toContain("$1,482.60 USD");
    await expect(facts.textContent()).resolves.toContain("Lumen Data Co., Ltd.");
    // $1,482.60 at glm's 1,333,333 tokens per dollar.
    await expect(facts.textContent()).resolves.toContain("1,976,799,505 tokens");
    await expect(developer.locator('.finding-flags li[data-code="invoice_only"]').count()).resolves.toBe(1);
    await screenshot(developer, "invoice-detail-en");
    await developer.setViewportSize({ width: 390, height: 844 });
    await screenshot(developer, "invoice-detail-en-390");
    await developer.setViewportSize({ width: 1280, height: 900 });

    const locked = join(dir, "locked-invoice.pdf");
    writeFileSync(locked, await encryptedInvoicePdf());
    await uploadFile(developer, locked);
    await expect(developer.locator('.finding-reasons li[data-code="pdf_encrypted"]').textContent()).resolves.toContain("password-protected");
    await screenshot(developer, "invoice-rejected-en");

    await developer.goto(`${baseUrl}/account/evidence`);
    await expect(developer.locator(".usage-chart rect.chart-invoice").count()).resolves.toBe(1);
    await screenshot(developer, "invoice-evidence-list-en");
    await setLanguage(developer, "简体中文");
    await screenshot(developer, "invoice-evidence-list-zh");
    await developer.locator(".evidence-list tbody tr").last().getByRole("link").click();
    await developer.waitForURL(/\/account\/evidence\/evd_/);
    await expect(developer.locator("#invoice-title").textContent()).resolves.toBe("发票内容");
    await screenshot(developer, "invoice-detail-zh");
    await developer.setViewportSize({ width: 390, height: 844 });
    await screenshot(developer, "invoice-detail-zh-390");
    await developer.setViewportSize({ width: 1280, height: 900 });
    await setLanguage(developer, "English");

    // The offer is capped (150M) and, resting on an invoice, waits for a person.
    await developer.goto(`${baseUrl}/account/claim`);
    await developer.getByTestId("claim-submit").click();
    await developer.getByTestId("claim-status").waitFor();
    await expect(developer.getByTestId("claim-status").textContent()).resolves.not.toContain("Granted");
  });

  it("staff see the invoice and its flag on the claim; support sees it in the account story", async () => {
    const staff = await logIn(browser, DEMO.staff.email, DEMO.staff.password);
    await staff.goto(`${baseUrl}/staff/claims?view=all&sort=newest`);
    await staff.getByTestId("queue-row").filter({ hasText: email }).getByRole("link").click();
    await staff.waitForURL(/\/staff\/claims\/clm_/);
    const invoices = staff.getByTestId("claim-invoices");
    await expect(invoices.textContent()).resolves.toContain("7F3A9C21-0002");
    await expect(invoices.textContent()).resolves.toContain("$1,482.60 USD");
    await expect(staff.locator(".claim-flags").textContent()).resolves.toContain("Invoice only");
    await screenshot(staff, "invoice-staff-claim-en");
    await setLanguage(staff, "简体中文");
    await expect(staff.locator(".claim-flags").textContent()).resolves.toContain("仅有发票");
    await screenshot(staff, "invoice-staff-claim-zh");
    await staff.setViewportSize({ width: 390, height: 844 });
    await screenshot(staff, "invoice-staff-claim-zh-390");
    await staff.setViewportSize({ width: 1280, height: 900 });
    await setLanguage(staff, "English");

    const support = await logIn(browser, DEMO.support.email, DEMO.support.password);
    await support.goto(`${baseUrl}/support?${new URLSearchParams({ q: email })}`);
    await support.locator(`a[href^="/support/accounts/"]`).first().click();
    await support.waitForURL(/\/support\/accounts\//);
    await expect(support.getByTestId("invoice-line").first().textContent()).resolves.toContain("7F3A9C21-0002");
    await screenshot(support, "invoice-support-story-en");
  });
});
