// The claim pages in Chromium for issue #10's checks: the partial cutoff month in the computation
// (developer and staff), and a near-copy of another account's usage shown to staff with a link.
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { saveEvidence } from "~/domain/evidence/index.server";
import type { DayUsage, EvidenceOutcome } from "~/domain/evidence/types";
import { createDatabase, type Db } from "~/lib/db.server";
import { forgedCopy, shapedUsage } from "../fixtures/usage-series";
import { launchBrowser, screenshot } from "./browser";
import { DEMO, logIn } from "./log-in";

const baseUrl = inject("baseUrl");
const PASSWORD = "correct horse battery staple 42";
let db: Db;
let browser: Browser;

function outcomeOf(days: DayUsage[]): EvidenceOutcome {
  const sum = (pick: (day: DayUsage) => number) => days.reduce((total, day) => total + pick(day), 0);
  return {
    kind: "completions_csv",
    status: "accepted",
    reasons: [],
    flags: [],
    fileSha256: randomBytes(32).toString("hex"),
    fileBytes: 4096,
    fingerprint: randomBytes(32).toString("hex"),
    orgId: null,
    periodStart: days[0]!.day,
    periodEnd: days.at(-1)!.day,
    rowCount: days.length,
    inputTokens: sum((day) => day.inputTokens),
    outputTokens: sum((day) => day.outputTokens),
    costMicros: sum((day) => day.costMicros),
    days,
    summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
  };
}

async function developerWith(label: string, days: DayUsage[]) {
  const email = `${label}-${randomBytes(4).toString("hex")}@example.com`;
  const user = await createAccount(db, { email, password: PASSWORD, role: "developer", verified: true });
  // As the verifier would: nothing after the cutoff day counts.
  await saveEvidence(db, { userId: user.id, fileName: "usage.csv", outcome: outcomeOf(days.filter((day) => day.day <= "2024-07-09")) });
  return email;
}

async function setLanguage(page: Page, label: "English" | "简体中文") {
  await page.getByRole("button", { name: label }).click();
  await page.waitForSelector(`html[lang="${label === "English" ? "en" : "zh-CN"}"]`);
  await page.waitForLoadState("networkidle");
}

beforeAll(async () => {
  db = createDatabase(inject("databaseUrl"));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
});

describe("claim pages: partial month and near-copies", () => {
  const original = shapedUsage({ seed: 501, days: 130, startDay: "2024-03-01", level: 3_000_000 });
  let ownerEmail = "";

  it("shows the developer the cutoff month's days and the months counted", async () => {
    ownerEmail = await developerWith("owner", original);

    for (const width of [1280, 390]) {
      const dev = await logIn(browser, ownerEmail, PASSWORD, { width });
      await dev.goto(`${baseUrl}/account/claim`);
      await expect(dev.getByTestId("partial-month").textContent()).resolves.toContain("9 of 31 days");
      await expect(dev.getByTestId("counted-months").textContent()).resolves.toBe("2.29");
      await screenshot(dev, `claims-partial-month-en-${width}`);
      await setLanguage(dev, "简体中文");
      await screenshot(dev, `claims-partial-month-zh-${width}`);
      await setLanguage(dev, "English");
    }

  });

  it("shows staff a near-copy with the other account and the similarity", async () => {
    const copierEmail = await developerWith("copier", forgedCopy(original, { seed: 502, scale: 1.25, shiftDays: 3 }));
    const copier = await logIn(browser, copierEmail, PASSWORD, { width: 1280 });
    await copier.goto(`${baseUrl}/account/claim`);
    await copier.getByTestId("claim-submit").click();
    await copier.getByTestId("claim-status").waitFor();

    for (const width of [1280, 390]) {
      const staff = await logIn(browser, DEMO.staff.email, DEMO.staff.password, { width });
      await staff.goto(`${baseUrl}/staff/claims?view=all&sort=newest`);
      await staff.getByTestId("queue-row").filter({ hasText: copierEmail }).getByRole("link").first().click();
      await staff.waitForURL(/\/staff\/claims\/clm_/);
      const nearCopy = staff.getByTestId("near-copy");
      await expect(nearCopy.textContent()).resolves.toMatch(/\d+% of \d+ days match/);
      await expect(staff.getByTestId("claim-duplicates").getByRole("link", { name: ownerEmail }).getAttribute("href")).resolves.toMatch(/^\/support\/accounts\/usr_/);
      await screenshot(staff, `claims-near-copy-en-${width}`);
      await setLanguage(staff, "简体中文");
      await screenshot(staff, `claims-near-copy-zh-${width}`);
      await setLanguage(staff, "English");
    }
  });
});
