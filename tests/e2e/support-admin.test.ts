// The support console and administration in Chromium: a support agent finds a developer by key
// prefix and revokes the key with a reason; an admin promotes a user to staff. Screenshots of
// every console page in English and Chinese.
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { createApiKey } from "~/domain/api-keys.server";
import { saveEvidence } from "~/domain/evidence/index.server";
import { creditAccount, debitUsage } from "~/domain/ledger.server";
import { screenshot } from "./browser";
import { DEMO, logIn } from "./log-in";
import { browserSuite, createTestAccount, PASSWORD } from "./suite";

const baseUrl = inject("baseUrl");
const KEY_PREFIX = "glmsk";

const suite = browserSuite();

const TEXT = {
  en: { search: "Search", revoke: "Revoke key", reason: "Reason", revoked: "The key is revoked", save: "Save", staff: "Provider staff", changed: "Role changed" },
  zh: { search: "搜索", revoke: "吊销密钥", reason: "原因", revoked: "密钥已吊销", save: "保存", staff: "服务商审核人员", changed: "角色已更改" },
} as const;

/** A developer with evidence, credit, some usage and one key, created through the domain functions. */
async function developerWithKey(label: string) {
  const user = await createTestAccount(suite.db, { label, role: "developer" });
  await saveEvidence(suite.db, {
    userId: user.id,
    fileName: "usage.csv",
    outcome: {
      kind: "completions_csv",
      status: "accepted",
      reasons: [],
      flags: [{ code: "totals_mismatch", count: 1, lines: [12] }],
      fileSha256: randomBytes(32).toString("hex"),
      fileBytes: 2048,
      fingerprint: randomBytes(32).toString("hex"),
      orgId: `org-${randomBytes(12).toString("hex")}`,
      periodStart: "2024-04-01",
      periodEnd: "2024-06-30",
      rowCount: 3,
      inputTokens: 30_000_000,
      outputTokens: 10_000_000,
      costMicros: 36_000_000,
      days: [{ day: "2024-05-10", model: "gpt-4o", inputTokens: 30_000_000, outputTokens: 10_000_000, costMicros: 36_000_000, requests: 1200 }],
      summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
    },
  });
  const expiresAt = new Date(Date.now() + 90 * 86_400_000).toISOString();
  await creditAccount(suite.db, { accountId: user.id, kind: "grant", bucket: "promo", tokens: 5_000_000, idempotencyKey: `e2e-grant-${user.id}`, referenceType: "e2e", referenceId: user.id, expiresAt });
  await debitUsage(suite.db, { accountId: user.id, requestId: `req-${randomBytes(6).toString("hex")}`, tokens: 12_345 });
  const created = await createApiKey(suite.db, { accountId: user.id, name: "production server", prefix: KEY_PREFIX });
  if (!created.ok) throw new Error("could not create the key");
  return { id: user.id, email: user.email, keyId: created.apiKey.id, prefix: created.apiKey.visiblePrefix, lastFour: created.apiKey.lastFour };
}

function staffAccount(role: "support" | "admin"): Promise<{ email: string; password: string }> {
  return createTestAccount(suite.db, { label: role, role, locale: "zh" });
}

for (const locale of ["en", "zh"] as const) {
  describe(`support console in ${locale}`, () => {
    it("a support agent finds a developer by key prefix and revokes the key with a reason", async () => {
      const text = TEXT[locale];
      const developer = await developerWithKey(`support-${locale}`);
      // The demo accounts are shared with other suites that expect English: the Chinese run
      // uses a support agent of its own, so no suite changes another's language.
      const credentials = locale === "en" ? DEMO.support : await staffAccount("support");
      const agent = await logIn(suite.browser, credentials.email, credentials.password, { locale });

      await screenshot(agent, `support-${locale}-00-signed-in`);
      const supportLink = agent.locator('header a[href="/support"]');
      expect(await supportLink.textContent()).toBe(locale === "zh" ? "客服" : "Support");
      await supportLink.click();
      await agent.waitForURL(/\/support$/);
      await agent.locator("#support-q").fill(developer.prefix);
      await agent.getByRole("button", { name: text.search, exact: true }).click();
      await agent.waitForURL(/\/support\?q=/);
      const result = agent.getByTestId("search-result").filter({ hasText: developer.email });
      await result.waitFor();
      await screenshot(agent, `support-${locale}-01-search`);

      await result.getByRole("link", { name: developer.email }).click();
      await agent.waitForURL(new RegExp(`/support/accounts/${developer.id}$`));
      await screenshot(agent, `support-${locale}-02-account`);

      const row = agent.getByTestId("support-key-row").filter({ hasText: `${developer.prefix}…${developer.lastFour}` });
      await row.getByLabel(text.reason).fill("Key pasted in a public GitHub issue");
      await row.getByRole("button", { name: text.revoke }).click();
      await agent.getByRole("status").filter({ hasText: text.revoked }).waitFor();
      await screenshot(agent, `support-${locale}-03-revoked`);

      const key = await suite.db.selectFrom("api_keys").select("revoked_at").where("id", "=", developer.keyId).executeTakeFirstOrThrow();
      expect(key.revoked_at).not.toBeNull();
      const entry = await suite.db.selectFrom("audit_log").selectAll().where("action", "=", "api_key.revoke").where("target_id", "=", developer.keyId).executeTakeFirstOrThrow();
      expect(JSON.parse(entry.details)).toMatchObject({ reason: "Key pasted in a public GitHub issue" });
      const searches = await suite.db.selectFrom("audit_log").select("details").where("action", "=", "support.search").execute();
      expect(searches.some((row) => row.details.includes(developer.prefix))).toBe(true);
      expect(await row.getByRole("button", { name: text.revoke }).count()).toBe(0);
    });
  });
}

describe("administration", () => {
  it("an admin promotes a user to staff", async () => {
    const candidate = await createAccount(suite.db, { email: `promote-${randomBytes(4).toString("hex")}@example.com`, password: PASSWORD, role: "developer", verified: true });
    const admin = await logIn(suite.browser, DEMO.admin.email, DEMO.admin.password, { locale: "en" });
    await admin.goto(`${baseUrl}/admin/users?q=${encodeURIComponent(candidate.email)}`);
    const row = admin.getByTestId("user-row").filter({ hasText: candidate.email });
    await row.getByRole("combobox").selectOption({ label: TEXT.en.staff });
    await row.getByRole("button", { name: TEXT.en.save }).click();
    await admin.getByRole("status").filter({ hasText: TEXT.en.changed }).waitFor();
    await screenshot(admin, "admin-en-users-promoted");
    const user = await suite.db.selectFrom("users").select("role").where("id", "=", candidate.id).executeTakeFirstOrThrow();
    expect(user.role).toBe("staff");
  });

  for (const locale of ["en", "zh"] as const) {
    it(`shows the overview charts, users, grant policy and audit log in ${locale}`, async () => {
      const credentials = locale === "en" ? DEMO.admin : await staffAccount("admin");
      const admin = await logIn(suite.browser, credentials.email, credentials.password, { locale });
      await admin.goto(`${baseUrl}/admin`);
      expect(await admin.locator("svg.wk-svg").count()).toBe(3);
      await screenshot(admin, `admin-${locale}-01-overview`);
      await admin.goto(`${baseUrl}/admin/users`);
      await screenshot(admin, `admin-${locale}-02-users`);
      await admin.goto(`${baseUrl}/admin/grant-policy`);
      await screenshot(admin, `admin-${locale}-03-grant-policy`);
      // An admin may use the support console too; this look-up is in the audit log below.
      await admin.goto(`${baseUrl}/support?q=developer%40demo.ferry`);
      await admin.getByTestId("search-result").first().waitFor();
      await admin.goto(`${baseUrl}/admin/audit?action=support.`);
      await screenshot(admin, `admin-${locale}-04-audit`);
      expect(await admin.getByTestId("audit-row").count()).toBeGreaterThan(0);
      const download = await admin.request.get(`${baseUrl}/admin/audit.csv?action=support.`);
      expect(download.headers()["content-type"]).toBe("text/csv; charset=utf-8");
      expect((await download.text()).split("\r\n")[0]).toBe("\uFEFFtime,actor_id,actor_email,action,target_type,target_id,details,ip");
    });
  }
});
