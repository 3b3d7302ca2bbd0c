// Claims in Chromium: a developer claims, staff approve, the developer sees the balance; a claim
// over the large-grant limit waits for a second approver; a rejected claim shows its reason.
// Evidence is seeded through the evidence domain functions (the upload page is another issue's).
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { saveEvidence } from "~/domain/evidence/index.server";
import type { DayUsage } from "~/domain/evidence/types";
import { createDatabase, type Db } from "~/lib/db.server";
import { launchBrowser, screenshot } from "./browser";
import { DEMO, logIn } from "./log-in";

const baseUrl = inject("baseUrl");
const M = 1_000_000;
const PASSWORD = "correct horse battery staple 42";

let db: Db;
let browser: Browser;

async function developerWithUsage(label: string, monthly: number): Promise<string> {
  const email = `${label}-${randomBytes(4).toString("hex")}@example.com`;
  const user = await createAccount(db, { email, password: PASSWORD, role: "developer", verified: true });
  const days: DayUsage[] = ["2024-04-10", "2024-05-10", "2024-06-10"].map((day) => ({
    day,
    model: "gpt-4o",
    inputTokens: monthly * 0.75,
    outputTokens: monthly * 0.25,
    costMicros: 12_000_000,
    requests: 1200,
  }));
  await saveEvidence(db, {
    userId: user.id,
    fileName: "usage.csv",
    outcome: {
      kind: "completions_csv",
      status: "accepted",
      reasons: [],
      flags: [],
      fileSha256: randomBytes(32).toString("hex"),
      fileBytes: 2048,
      fingerprint: randomBytes(32).toString("hex"),
      orgId: `org-${randomBytes(12).toString("hex")}`,
      periodStart: "2024-04-10",
      periodEnd: "2024-06-10",
      rowCount: 3,
      inputTokens: monthly * 3 * 0.75,
      outputTokens: monthly * 3 * 0.25,
      costMicros: 36_000_000,
      days,
      summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
    },
  });
  return email;
}

async function claim(page: Page, expectedOffer: string) {
  await page.goto(`${baseUrl}/account/claim`);
  await expect(page.getByTestId("offer-tokens").textContent()).resolves.toBe(expectedOffer);
  await page.getByTestId("claim-submit").click();
  await page.getByTestId("claim-status").waitFor();
}

async function openClaimOf(staff: Page, email: string) {
  await staff.goto(`${baseUrl}/staff/claims?view=all&sort=newest`);
  await staff.getByTestId("queue-row").filter({ hasText: email }).getByRole("link").click();
  await staff.waitForURL(/\/staff\/claims\/clm_/);
  await expect(staff.getByTestId("claim-developer").textContent()).resolves.toBe(email);
}

async function setLanguage(page: Page, label: "English" | "简体中文") {
  await page.getByRole("button", { name: label }).click();
  await page.waitForSelector(`html[lang="${label === "English" ? "en" : "zh-CN"}"]`);
  await page.waitForLoadState("networkidle");
}

let staff: Page;

beforeAll(async () => {
  db = createDatabase(inject("databaseUrl"));
  browser = await launchBrowser();
  staff = await logIn(browser, DEMO.staff.email, DEMO.staff.password, { width: 1200 });
});

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
});

describe("claims in the browser", () => {
  it("a developer claims, staff approve, the developer sees the balance", async () => {
    const email = await developerWithUsage("claimer", 30 * M);
    const dev = await logIn(browser, email, PASSWORD, { width: 1200 });
    await claim(dev, "30,000,000");
    await expect(dev.getByTestId("claim-status").textContent()).resolves.toContain("In review");
    await screenshot(dev, "claims-developer-pending-en");

    await openClaimOf(staff, email);
    await staff.getByTestId("approve").click();
    await staff.getByText("Granted 30,000,000 tokens.").waitFor();

    await dev.goto(`${baseUrl}/account/claim`);
    await expect(dev.getByTestId("claim-status").textContent()).resolves.toContain("Granted");
    await expect(dev.getByTestId("claim-balance").textContent()).resolves.toContain("30,000,000");
    await screenshot(dev, "claims-developer-granted-en");
  });

  it("a claim over the large-grant limit waits for a second approver", async () => {
    const email = await developerWithUsage("large", 60 * M);
    const dev = await logIn(browser, email, PASSWORD, { width: 1200 });
    await claim(dev, "60,000,000");

    await openClaimOf(staff, email);
    await staff.getByTestId("approve").click();
    await staff.getByTestId("first-approval").waitFor();
    await expect(staff.getByTestId("first-approval").textContent()).resolves.toContain("staff@demo.ferry");
    await screenshot(staff, "claims-review-first-approval-en");

    // The first approver cannot give the second approval.
    expect(await staff.getByTestId("approve").count()).toBe(0);

    await dev.goto(`${baseUrl}/account/claim`);
    await expect(dev.getByTestId("claim-status").textContent()).resolves.toContain("In review");
    expect(await dev.getByTestId("claim-balance").count()).toBe(0);

    const admin = await logIn(browser, DEMO.admin.email, DEMO.admin.password, { width: 1200 });
    await openClaimOf(admin, email);
    await admin.getByTestId("approve").click();
    await admin.getByText("Granted 60,000,000 tokens.").waitFor();
    await dev.goto(`${baseUrl}/account/claim`);
    await expect(dev.getByTestId("claim-balance").textContent()).resolves.toContain("60,000,000");
  });

  it("a rejected claim shows its reason to the developer", async () => {
    const email = await developerWithUsage("rejected", 20 * M);
    const dev = await logIn(browser, email, PASSWORD, { width: 1200 });
    await claim(dev, "20,000,000");

    await staff.goto(`${baseUrl}/staff/claims`);
    await staff.getByTestId("claim-queue").waitFor();
    await screenshot(staff, "claims-queue-en");
    await openClaimOf(staff, email);
    await screenshot(staff, "claims-review-en");
    await setLanguage(staff, "简体中文");
    await screenshot(staff, "claims-review-zh");
    await staff.goto(`${baseUrl}/staff/claims`);
    await screenshot(staff, "claims-queue-zh");
    await setLanguage(staff, "English");

    await openClaimOf(staff, email);
    await staff.locator("summary", { hasText: "Reject" }).click();
    await staff.locator("#reject-reason").fill("This usage was uploaded by another account of your team.");
    await staff.getByTestId("reject").click();
    await staff.getByText("Claim rejected.").waitFor();

    await dev.goto(`${baseUrl}/account/claim`);
    await expect(dev.getByTestId("claim-status").textContent()).resolves.toContain("Rejected");
    await expect(dev.getByTestId("claim-reason").textContent()).resolves.toContain("This usage was uploaded by another account of your team.");
    expect(await dev.getByTestId("claim-submit").count()).toBe(0);
    await screenshot(dev, "claims-developer-rejected-en");
    await setLanguage(dev, "简体中文");
    await screenshot(dev, "claims-developer-rejected-zh");
  });
});
