// Redemption codes in Chromium (issue 17): a staff member creates a batch at /staff/codes and
// copies the codes shown once, a developer redeems one on the credit page, and the credit shows in
// their balance and history. English and Chinese, at 1280 and 390 pixels.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { screenshot } from "./browser";
import { logIn } from "./log-in";
import { browserSuite, createTestAccount } from "./suite";

const baseUrl = inject("baseUrl");

const suite = browserSuite();

const TEXT = {
  en: { count: "Number of codes", tokens: "Tokens per redemption", campaign: "Campaign name", create: "Create codes", download: "Download codes (CSV)", created: "cannot be shown again", code: "Code", redeem: "Redeem", redeemed: "Code redeemed", reference: "Redemption code", total: "1,234,567" },
  zh: { count: "兑换码数量", tokens: "每次兑换的 Tokens", campaign: "活动名称", create: "创建兑换码", download: "下载兑换码（CSV）", created: "之后无法再次显示", code: "兑换码", redeem: "兑换", redeemed: "兑换成功", reference: "兑换码", total: "1,234,567" },
} as const;

function account(role: "developer" | "staff", locale: "en" | "zh") {
  return createTestAccount(suite.db, { label: `codes-${role}`, role, locale });
}

for (const locale of ["en", "zh"] as const) {
  describe(`staff create codes, a developer redeems one (${locale})`, () => {
    const text = TEXT[locale];
    let codes: string[] = [];

    it("a staff member creates a batch and sees its codes once", async () => {
      const staffAccount = await account("staff", locale);
      const staff = await logIn(suite.browser, staffAccount.email, staffAccount.password, { locale });
      await staff.goto(`${baseUrl}/staff/codes`);
      await staff.getByLabel(text.count).fill("3");
      await staff.getByLabel(text.tokens).fill("1234567");
      await staff.getByLabel(text.campaign).fill(`Browser ${locale} ${randomBytes(3).toString("hex")}`);
      await staff.getByRole("button", { name: text.create }).click();
      await staff.getByRole("status").filter({ hasText: text.created }).waitFor();
      codes = (await staff.locator("#created-codes-list").inputValue()).split("\n");
      expect(codes).toHaveLength(3);
      expect(codes[0]).toMatch(/^FERRY(-[0-9A-Z]{4}){6}$/);
      await screenshot(staff, `codes-${locale}-01-created`);
      // The one download: a CSV with every code.
      const [download] = await Promise.all([staff.waitForEvent("download"), staff.getByRole("link", { name: text.download }).click()]);
      const csv = readFileSync((await download.path())!, "utf8");
      expect(csv.split("\r\n")[0]).toBe("code,tokens,bucket,uses,campaign,code_expires");
      for (const code of codes) expect(csv).toContain(`${code},1234567,promo,1,`);
      // After a reload the batch is listed with its progress, the codes are gone for good.
      await staff.goto(`${baseUrl}/staff/codes`);
      await staff.getByTestId("code-batch").first().waitFor();
      expect(await staff.content()).not.toContain(codes[0]);
      await screenshot(staff, `codes-${locale}-02-batches`);
      await staff.setViewportSize({ width: 390, height: 844 });
      await screenshot(staff, `codes-${locale}-02-batches-390`);
      await staff.context().close();
    });

    it("a developer redeems a code and sees the credit in the balance and the history", async () => {
      const developerAccount = await account("developer", locale);
      const developer = await logIn(suite.browser, developerAccount.email, developerAccount.password, { locale });
      await developer.goto(`${baseUrl}/account/credit`);
      // Typed loosely: lower case, spaces instead of dashes.
      await developer.getByLabel(text.code, { exact: true }).fill(codes[1]!.toLowerCase().replace(/-/g, " "));
      await developer.getByRole("button", { name: text.redeem, exact: true }).click();
      await developer.getByRole("status").filter({ hasText: text.redeemed }).waitFor();
      await expect.poll(async () => developer.getByTestId("credit-total").textContent()).toBe(text.total);
      await developer.getByTestId("credit-history").getByText(text.reference).first().waitFor();
      await screenshot(developer, `codes-${locale}-03-credit`);
      await developer.setViewportSize({ width: 390, height: 844 });
      await screenshot(developer, `codes-${locale}-03-credit-390`);
      await developer.context().close();
    });
  });
}
