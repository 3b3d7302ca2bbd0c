// Every page of every role (tests/e2e/page-list.ts), in English and Chinese, 390 and 1280 px wide:
// nothing wider than its box (the page, a table, a code block, even inside a scroll container),
// one h1 and no skipped heading level, no watcher error or uncaught exception. A developer with
// real uploads, a claim waiting for staff, a key, a purchase and credit history is made first, so
// the pages show what they hold in use. Each page is loaded once per language and measured at both
// widths (the viewport resized in place), so the whole walk stays a few minutes. Links must be named
// for where they go. ALL_PAGES_SHOTS=<dir> also saves a screenshot of each.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount, debitUsage } from "~/domain/ledger.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { invoicePdf } from "../fixtures/invoice-pdf";
import { completionsCsv } from "../fixtures/usage-fixtures";
import { launchBrowser } from "./browser";
import { DEMO, HTML_LANG, logIn, useLanguage, type Locale } from "./log-in";
import { layoutProblems, linkProblems, settled, watchConsole } from "./page-checks";
import { pagesOf, type Audience, type PageToCheck, type Seeded } from "./page-list";
import { passSecondFactor } from "./second-factor";

const baseUrl = inject("baseUrl");
const PASSWORD = "correct horse battery staple 42";
const WIDTHS = [390, 1280] as const;
const LOCALES: Locale[] = ["en", "zh"];
const SHOTS = process.env.ALL_PAGES_SHOTS;
// Dozens of page loads per role on a shared machine: a deadline only a hung browser reaches.
const ROLE_DEADLINE_MS = 15 * 60_000;

let db: Db;
let browser: Browser;
let seed: Seeded;

async function upload(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<string> {
  await page.goto(`${baseUrl}/account/evidence`);
  await page.setInputFiles("#evidence-file", { name, mimeType, buffer });
  await Promise.all([page.waitForURL(/\/account\/evidence\/evd_/), page.click('form[action="/account/evidence/upload"] button[type="submit"]')]);
  return new URL(page.url()).pathname.split("/").pop()!;
}

/** A developer who used the portal: accepted, rejected and invoice evidence, a claim for staff, a key, a purchase, usage. */
async function seedDeveloper(): Promise<Seeded> {
  const email = `all-pages-${randomBytes(4).toString("hex")}@example.com`;
  const user = await createAccount(db, { email, password: PASSWORD, role: "developer", verified: true });
  const page = await logIn(browser, email, PASSWORD);
  const orgId = `org-AllPages${randomBytes(6).toString("hex")}`;
  // About 40 million tokens a month: over the auto-approve limit, so the claim waits for staff.
  const csv = completionsCsv({ seed: 70_000 + Math.floor(Math.random() * 10_000), orgId, startDay: "2024-03-01", days: 130, scale: 500_000 });
  const acceptedEvidenceId = await upload(page, "openai-usage-2024-03-01-to-2024-07-08.csv", "text/csv", Buffer.from(csv));
  const rejectedEvidenceId = await upload(page, "bad-rows.csv", "text/csv", readFileSync("tests/fixtures/evidence/bad-rows.csv"));
  const invoice = await invoicePdf({ invoiceNumber: `AP${randomBytes(4).toString("hex").toUpperCase()}-0001`, orgId });
  const invoiceEvidenceId = await upload(page, "Invoice-AP-0001.pdf", "application/pdf", Buffer.from(invoice));

  await page.goto(`${baseUrl}/account/claim`);
  await page.getByTestId("claim-submit").click();
  await page.getByTestId("claim-status").waitFor();
  const claim = await db.selectFrom("claims").select("id").where("account_id", "=", user.id).executeTakeFirstOrThrow();

  await page.goto(`${baseUrl}/account/billing`);
  await page.locator(".credit-pack").first().getByRole("button").click();
  await page.getByRole("button", { name: "Pay" }).click();
  await page.waitForURL(/\/account\/billing\/success\?session_id=cs_/);
  const checkoutSessionId = new URL(page.url()).searchParams.get("session_id")!;

  await page.goto(`${baseUrl}/help`);
  await page.locator("#field-topic").selectOption("keys");
  await page.locator("#field-subject").fill("Every request with my production key answers 401 since this morning");
  await page.locator("#field-message").fill("Since 07:00 UTC every request with https://gateway.example.com/v1/chat/completions answers 401.");
  await page.locator('form:has(#field-subject) button[type="submit"]').click();
  await page.getByRole("status").first().waitFor();
  const ticket = await db.selectFrom("support_tickets").select("id").where("email", "=", email).executeTakeFirstOrThrow();
  await page.context().close();

  const created = await createApiKey(db, { accountId: user.id, name: "production server in Frankfurt (blue)", prefix: "glmsk" });
  if (!created.ok) throw new Error(created.reason);
  await creditAccount(db, {
    accountId: user.id,
    kind: "adjustment",
    bucket: "paid",
    tokens: 12_345_678,
    idempotencyKey: `all-pages-adjustment-${user.id}`,
    referenceType: "support_adjustment",
    referenceId: `adj_${randomBytes(12).toString("hex")}`,
    note: "Goodwill credit after the outage of 2024-07-12 (ticket 4821)",
  });
  const second = await createApiKey(db, { accountId: user.id, name: "staging", prefix: "glmsk" });
  if (!second.ok) throw new Error(second.reason);
  const models = ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "gpt-3.5-turbo-0125"];
  for (let i = 0; i < 6; i++) {
    const requestId = `chatcmpl-${randomBytes(16).toString("hex")}`;
    const keyId = i % 2 === 0 ? created.apiKey.id : second.apiKey.id;
    const usage = { keyId, model: models[i % 3]!, providerModel: "glm-4-plus", inputTokens: 100_000 + i, cachedInputTokens: 20_000, outputTokens: 23_456 };
    await debitUsage(db, { accountId: user.id, tokens: 123_456 + i, requestId, usage, now: new Date(Date.now() - i * 86_400_000) });
  }
  return {
    developerId: user.id,
    developerEmail: email,
    acceptedEvidenceId,
    rejectedEvidenceId,
    invoiceEvidenceId,
    keyId: created.apiKey.id,
    claimId: claim.id,
    checkoutSessionId,
    ticketId: ticket.id,
  };
}

const label = (page: PageToCheck, locale: Locale, width: number) => `${page.path} [${locale}, ${width}px]`;

/** Loads `target` in every language and looks at it at every width: returns what is wrong. */
async function checkHere(page: Page, watcher: ReturnType<typeof watchConsole>, target: PageToCheck, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const locale of LOCALES) {
    await page.setViewportSize({ width: WIDTHS[0], height: 900 });
    await useLanguage(page, locale);
    const response = await page.goto(`${baseUrl}${target.path}`);
    const loaded = label(target, locale, WIDTHS[0]);
    if (response?.status() !== (target.status ?? 200)) problems.push(`${loaded}: answered ${response?.status()}`);
    try {
      await settled(page);
    } catch (error) {
      problems.push(`${loaded}: never hydrated or settled (${(error as Error).message.split("\n")[0]})`);
      for (const message of watcher.take()) problems.push(`${loaded}: ${message}`);
      continue;
    }
    if ((await page.locator("html").getAttribute("lang")) !== HTML_LANG[locale]) problems.push(`${loaded}: not in ${locale}`);
    for (const width of WIDTHS) {
      const where = label(target, locale, width);
      if (width !== WIDTHS[0]) {
        await page.setViewportSize({ width, height: 900 });
        // Two frames: the resize's layout (and any re-render it causes) is done.
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      }
      for (const problem of await layoutProblems(page)) problems.push(`${where}: ${problem}`);
      if (width === 1280) for (const problem of await linkProblems(page)) problems.push(`${where}: ${problem}`);
      for (const error of watcher.take()) problems.push(`${where}: ${error}`);
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        const file = `${name}${target.path.replace(/[^a-z0-9]+/gi, "_")}`.slice(0, 120);
        await page.screenshot({ path: join(SHOTS, `${file}-${locale}-${width}.png`), fullPage: true });
      }
    }
  }
  return problems;
}

async function checkPages(page: Page, watcher: ReturnType<typeof watchConsole>, audience: Audience): Promise<string[]> {
  const problems: string[] = [];
  for (const target of pagesOf(audience, seed)) {
    // A 404 page's own document answers 404, and Chromium reports that status as a console error.
    watcher.allow((message) => target.status === 404 && message.text().includes("404") && message.location().url.startsWith(`${baseUrl}${target.path}`));
    problems.push(...(await checkHere(page, watcher, target, audience)));
  }
  return problems;
}

/** An operator's way in: the second-step page is checked too, then passed. */
async function logInOperator(email: string, password: string): Promise<{ page: Page; problems: string[]; watcher: ReturnType<typeof watchConsole> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const watcher = watchConsole(page);
  await page.goto(`${baseUrl}/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form:has(input[name="password"]) button[type="submit"]').click();
  await page.waitForURL(/\/login\/(enrol|second-factor)/);
  const step = new URL(page.url());
  const problems = await checkHere(page, watcher, { path: `${step.pathname}${step.search}` }, "login");
  await page.setViewportSize({ width: 1280, height: 900 });
  await passSecondFactor(page, email);
  return { page, problems, watcher };
}

beforeAll(async () => {
  db = createDatabase(inject("databaseUrl"));
  browser = await launchBrowser();
  seed = await seedDeveloper();
}, ROLE_DEADLINE_MS);

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
});

describe("every page at 390 and 1280 px, in English and Chinese", () => {
  it("visitor pages", async () => {
    const page = await (await browser.newContext()).newPage();
    const watcher = watchConsole(page);
    expect(await checkPages(page, watcher, "visitor")).toEqual([]);
  }, ROLE_DEADLINE_MS);

  it("developer pages", async () => {
    const page = await (await browser.newContext()).newPage();
    const watcher = watchConsole(page);
    await page.goto(`${baseUrl}/login`);
    await page.locator('input[name="email"]').fill(seed.developerEmail);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.locator('form:has(input[name="password"]) button[type="submit"]').click();
    await page.waitForURL(/\/account$/);
    expect(await checkPages(page, watcher, "developer")).toEqual([]);
  }, ROLE_DEADLINE_MS);

  it("support pages, and the enrolment page of a new operator", async () => {
    const email = `all-pages-support-${randomBytes(4).toString("hex")}@example.com`;
    await createAccount(db, { email, password: PASSWORD, role: "support", verified: true });
    const { page, problems, watcher } = await logInOperator(email, PASSWORD);
    expect([...problems, ...(await checkPages(page, watcher, "support"))]).toEqual([]);
  }, ROLE_DEADLINE_MS);

  it("staff pages, and the second-factor page", async () => {
    const { page, problems, watcher } = await logInOperator(DEMO.staff.email, DEMO.staff.password);
    expect([...problems, ...(await checkPages(page, watcher, "staff"))]).toEqual([]);
  }, ROLE_DEADLINE_MS);

  it("admin pages", async () => {
    const { page, problems, watcher } = await logInOperator(DEMO.admin.email, DEMO.admin.password);
    expect([...problems, ...(await checkPages(page, watcher, "admin"))]).toEqual([]);
  }, ROLE_DEADLINE_MS);
});
