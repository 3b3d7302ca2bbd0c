// Help within reach in Chromium, in English and Chinese: a developer writes through the Help
// page's contact form, a support agent replies from the ticket console and closes the ticket; the
// developer asks for their data and for deletion. Screenshots at 1280 and 390 px wide.
import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { createDatabase, type Db } from "~/lib/db.server";
import { launchBrowser, screenshot } from "./browser";
import { logIn } from "./log-in";

const baseUrl = inject("baseUrl");
const PASSWORD = "correct horse battery staple 42";

const TEXT = {
  en: { send: "Send to support", sent: "Thank you", reply: "Send reply", replied: "Reply sent", close: "Close ticket", closed: "Ticket closed", download: "Download my data (JSON)", confirm: "I understand", password: "Your password", ask: "Ask to delete my account", recorded: "Your request is recorded" },
  zh: { send: "发送给客服", sent: "谢谢", reply: "发送回复", replied: "回复已通过电子邮件发送", close: "关闭工单", closed: "工单已关闭", download: "下载我的数据（JSON）", confirm: "我了解", password: "您的密码", ask: "申请删除我的账户", recorded: "您的申请已记录" },
} as const;

let db: Db;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function account(role: "developer" | "support", locale: "en" | "zh") {
  const email = `help-${role}-${locale}-${randomBytes(4).toString("hex")}@example.com`;
  await createAccount(db, { email, password: PASSWORD, role, verified: true, locale });
  return email;
}

async function signIn(email: string, locale: "en" | "zh"): Promise<Page> {
  const page = await logIn(browser, email, PASSWORD, { locale });
  contexts.push(page.context());
  return page;
}

/** One full-page shot at 1280 px and one at 390 px. */
async function shots(page: Page, name: string) {
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 900 });
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

for (const locale of ["en", "zh"] as const) {
  describe(`help in ${locale}`, () => {
    it("contact form → an agent replies in the person's language → closes", async () => {
      const text = TEXT[locale];
      const developerEmail = await account("developer", locale);
      const developer = await signIn(developerEmail, locale);
      await developer.goto(`${baseUrl}/help`);
      expect(await developer.locator("html").getAttribute("lang")).toBe(locale === "zh" ? "zh-CN" : "en");
      await developer.locator("#field-topic").selectOption("keys");
      await developer.locator("#field-subject").fill("Key answers 401");
      await developer.locator("#field-message").fill("Since this morning every request with my key answers 401.");
      await shots(developer, `help-${locale}-01-form`);
      await developer.getByRole("button", { name: text.send }).click();
      await developer.getByRole("status").filter({ hasText: text.sent }).waitFor();
      const ticket = await db.selectFrom("support_tickets").selectAll().where("email", "=", developerEmail).executeTakeFirstOrThrow();
      expect(ticket.locale).toBe(locale);
      await shots(developer, `help-${locale}-02-sent`);

      const agent = await signIn(await account("support", locale), locale);
      await agent.goto(`${baseUrl}/support/tickets`);
      await agent.getByRole("link", { name: "Key answers 401" }).first().waitFor();
      await shots(agent, `help-${locale}-03-queue`);
      await agent.goto(`${baseUrl}/support/tickets/${ticket.id}`);
      await agent.locator("#field-message").fill(locale === "zh" ? "请重新创建密钥：旧密钥已被吊销。" : "Please create a new key: the old one was revoked.");
      await agent.getByRole("button", { name: text.reply }).click();
      await agent.getByRole("status").filter({ hasText: text.replied }).waitFor();
      await shots(agent, `help-${locale}-04-replied`);
      await agent.getByRole("button", { name: text.close }).click();
      await agent.getByRole("status").filter({ hasText: text.closed }).waitFor();
      const closed = await db.selectFrom("support_tickets").select("status").where("id", "=", ticket.id).executeTakeFirstOrThrow();
      expect(closed.status).toBe("closed");
      const messages = await db.selectFrom("support_ticket_messages").select("direction").where("ticket_id", "=", ticket.id).execute();
      expect(messages.map((message) => message.direction).sort()).toEqual(["in", "out"]);

      await developer.goto(`${baseUrl}/help`);
      await developer.locator("#your-requests").waitFor();
      await shots(developer, `help-${locale}-05-own-requests`);
    });

    it("downloads the account's data and asks for deletion", async () => {
      const text = TEXT[locale];
      const developerEmail = await account("developer", locale);
      const developer = await signIn(developerEmail, locale);
      await developer.goto(`${baseUrl}/account/privacy`);
      await shots(developer, `privacy-${locale}-01-page`);
      const [download] = await Promise.all([developer.waitForEvent("download"), developer.getByRole("link", { name: text.download }).click()]);
      const path = await download.path();
      const exported = JSON.parse(await (await import("node:fs/promises")).readFile(path!, "utf8"));
      expect(exported.profile.email).toBe(developerEmail);
      await developer.getByLabel(text.confirm).check();
      await developer.getByLabel(text.password).fill(PASSWORD);
      await developer.getByRole("button", { name: text.ask }).click();
      await developer.getByRole("status").filter({ hasText: text.recorded }).waitFor();
      await shots(developer, `privacy-${locale}-02-requested`);
      const user = await db.selectFrom("users").select("id").where("email", "=", developerEmail).executeTakeFirstOrThrow();
      const request = await db.selectFrom("account_deletion_requests").select("status").where("account_id", "=", user.id).executeTakeFirstOrThrow();
      expect(request.status).toBe("pending");
      await developer.goto(`${baseUrl}/terms`);
      await shots(developer, `terms-${locale}`);
    });
  });
}
