// Support and admin screens speak the reader's language: no internal code (`completions_csv`,
// `bad_amount`, `api_key.revoke`, `accountId`, a bare `en`) is left in the visible text of the
// audit log or the account story, in English or Chinese.
import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { recordAudit } from "~/domain/audit.server";
import { saveEvidence } from "~/domain/evidence/index.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { launchBrowser, screenshot } from "./browser";
import { logIn } from "./log-in";

const baseUrl = inject("baseUrl");
const PASSWORD = "correct horse battery staple 42";

let db: Db;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function developerWithHistory(): Promise<{ id: string; email: string }> {
  const email = `labels-${randomBytes(4).toString("hex")}@example.com`;
  const user = await createAccount(db, { email, password: PASSWORD, role: "developer", verified: true, locale: "zh" });
  const evidence = await saveEvidence(db, {
    userId: user.id,
    fileName: "usage.csv",
    outcome: {
      kind: "completions_csv",
      status: "rejected",
      reasons: [{ code: "bad_amount", count: 3, lines: [4, 9, 12] }],
      flags: [],
      fileSha256: randomBytes(32).toString("hex"),
      fileBytes: 2048,
      fingerprint: randomBytes(32).toString("hex"),
      orgId: `org-${randomBytes(12).toString("hex")}`,
      periodStart: "2024-04-01",
      periodEnd: "2024-06-30",
      rowCount: 3,
      inputTokens: 0,
      outputTokens: 0,
      costMicros: 0,
      days: [],
      summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
    },
  });
  const admin = await db.selectFrom("users").select("id").where("email", "=", "admin@demo.ferry").executeTakeFirst();
  const actorId = admin?.id ?? user.id;
  const events = [
    { action: "evidence.remove", targetType: "evidence", targetId: evidence.id, details: { kind: "completions_csv", fileName: "usage.csv", reasons: ["bad_amount", "missing_columns"] } },
    { action: "claim.submit", targetType: "claim", targetId: `clm_${randomBytes(6).toString("hex")}`, details: { accountId: user.id, offeredTokens: 1_000_000, flags: ["org_on_other_claim"] } },
    { action: "admin.role_change", targetType: "user", targetId: user.id, details: { from: "developer", to: "support" } },
    { action: "admin.role_change", targetType: "user", targetId: user.id, details: { from: "support", to: "developer" } },
    { action: "two_factor.enrolled", targetType: "user", targetId: user.id, details: { method: "totp" } },
    { action: "staff.credit_adjust", targetType: "user", targetId: user.id, details: { accountId: user.id, tokens: 5000, bucket: "promo", selfAppliedLast24h: false, reason: "goodwill" } },
  ] as const;
  for (const event of events) await recordAudit(db, { actorId, ...event, details: { ...event.details } });
  return { id: user.id, email };
}

async function adminPage(locale: "en" | "zh"): Promise<Page> {
  const email = `labels-admin-${locale}-${randomBytes(4).toString("hex")}@example.com`;
  await createAccount(db, { email, password: PASSWORD, role: "admin", verified: true, locale });
  const page = await logIn(browser, email, PASSWORD, { locale });
  contexts.push(page.context());
  return page;
}

/** Code-shaped words in what a person reads on the page (ids and e-mail addresses aside). */
async function codesOnPage(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const main = document.querySelector("main");
    if (!main) return ["no <main>"];
    const skip = "input, textarea, select, script, style";
    const found: string[] = [];
    for (const cell of Array.from(main.querySelectorAll("td, dd"))) if (/^(en|zh)$/.test((cell.textContent ?? "").trim())) found.push(`bare locale “${cell.textContent}”`);
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    const parts: string[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) if (!node.parentElement?.closest(skip)) parts.push(node.textContent ?? "");
    const text = parts
      .join(" ")
      .replace(/\S+@\S+\.\S+/g, " ")
      // Ids and key prefixes carry digits; codes (`api_key.revoke`, `bad_amount`) do not.
      .replace(/[\w.:-]*\d[\w.:-]*/g, " ");
    for (const match of text.matchAll(/\b[a-z][a-z0-9]*(?:[._][a-z0-9]+)*_[a-z0-9]+\b|\b[a-z]+[A-Z][A-Za-z]+\b/g)) found.push(match[0]);
    return found;
  });
}

beforeAll(async () => {
  db = createDatabase(inject("databaseUrl"));
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await db?.destroy();
});

describe("operator screens show labels, not internal codes", () => {
  for (const locale of ["en", "zh"] as const) {
    it(`in ${locale}: the audit log and the account story`, async () => {
      const developer = await developerWithHistory();
      const page = await adminPage(locale);

      await page.goto(`${baseUrl}/admin/audit?target=${developer.id}`);
      await page.locator("main table").first().waitFor();
      await screenshot(page, `labels-${locale}-audit`);
      expect(await codesOnPage(page)).toEqual([]);
      const text = await page.locator("main").innerText();
      for (const label of locale === "zh" ? ["修改角色", "身份验证器应用", "额度类型"] : ["Changed a role", "Authenticator app", "Credit"]) expect(text).toContain(label);

      await page.goto(`${baseUrl}/support/accounts/${developer.id}`);
      await page.locator("main h1").waitFor();
      await screenshot(page, `labels-${locale}-account-story`);
      expect(await codesOnPage(page)).toEqual([]);
      expect(await page.locator("main").innerText()).toContain(locale === "zh" ? "简体中文" : "Simplified Chinese");
    });
  }
});
