// Nobody mints credit alone, in Chromium: a staff member proposes an adjustment above the
// auto-approve limit on a developer's account, an admin (a second, different staff member)
// approves it in the queue, and the developer sees it on their credit page. English and Chinese.
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { screenshot } from "./browser";
import { DEMO, logIn } from "./log-in";
import { browserSuite, createTestAccount } from "./suite";

const baseUrl = inject("baseUrl");

const suite = browserSuite();

const TEXT = {
  en: { tokens: "Tokens", reason: "Reason", record: "Record adjustment", waits: "waits for a second staff member", approve: "Approve and credit", approved: "Approved", kind: "Adjustment by staff" },
  zh: { tokens: "Tokens 数", reason: "原因", record: "记录调整", waits: "等待第二名审核人员批准", approve: "批准并入账", approved: "已批准", kind: "审核人员调整" },
} as const;

function account(role: "developer" | "staff" | "admin", locale: "en" | "zh") {
  return createTestAccount(suite.db, { label: `adj-${role}`, role, locale });
}

for (const locale of ["en", "zh"] as const) {
  // One flow in three steps (each its own test, run in order), so no step nears the time limit.
  describe(`credit adjustments need a second staff member above the auto-approve limit (${locale})`, () => {
    const text = TEXT[locale];
    let developer: Awaited<ReturnType<typeof account>>;

    it("a staff member proposes 25,000,000 tokens: pending, nothing credited", async () => {
      developer = await account("developer", locale);
      // English uses the demo staff account (README); Chinese its own, so no suite changes the
      // demo accounts' language for another.
      const proposer = locale === "en" ? DEMO.staff : await account("staff", locale);
      const staff = await logIn(suite.browser, proposer.email, proposer.password, { locale });
      await staff.goto(`${baseUrl}/support/accounts/${developer.id}#ledger`);
      const form = staff.locator(".adjust-credit");
      await form.getByLabel(text.tokens, { exact: true }).fill("25000000");
      await form.getByLabel(text.reason).fill("Enterprise migration, ticket 5120");
      await form.getByRole("button", { name: text.record }).click();
      await staff.getByRole("status").filter({ hasText: text.waits }).waitFor();
      await form.getByRole("cell", { name: "Enterprise migration, ticket 5120" }).waitFor();
      await screenshot(staff, `adjustments-${locale}-01-proposed`);
      expect(await suite.db.selectFrom("ledger_entries").select("id").where("account_id", "=", developer.id).execute()).toHaveLength(0);
    });

    it("an admin, a second staff member, approves it in the queue: one ledger entry", async () => {
      const approver = locale === "en" ? DEMO.admin : await account("admin", locale);
      const admin = await logIn(suite.browser, approver.email, approver.password, { locale });
      await admin.goto(`${baseUrl}/staff/adjustments`);
      const row = admin.getByTestId("pending-adjustment").filter({ hasText: developer.email });
      await row.waitFor();
      await screenshot(admin, `adjustments-${locale}-02-queue`);
      await admin.setViewportSize({ width: 390, height: 844 });
      await screenshot(admin, `adjustments-${locale}-02-queue-390`);
      await admin.setViewportSize({ width: 1280, height: 900 });
      await row.getByRole("button", { name: text.approve }).click();
      await admin.getByRole("status").filter({ hasText: text.approved }).waitFor();
      await screenshot(admin, `adjustments-${locale}-03-approved`);
      const entries = await suite.db.selectFrom("ledger_entries").selectAll().where("account_id", "=", developer.id).execute();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ kind: "adjustment", bucket: "paid" });
      expect(Number(entries[0]!.amount)).toBe(25_000_000);
    });

    it("the developer sees the adjustment on their credit page", async () => {
      const owner = await logIn(suite.browser, developer.email, developer.password, { locale, width: 390 });
      await owner.goto(`${baseUrl}/account/credit`);
      await owner.getByText(text.kind).first().waitFor();
      await screenshot(owner, `adjustments-${locale}-04-developer-credit-390`);
    });
  });
}
