// /account/usage and its CSV show a developer only their own usage; support sees any account's,
// audited; bad filters change nothing and say why.
import { describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount, debitUsage } from "~/domain/ledger.server";
import { loader as usageLoader } from "~/routes/account.usage";
import { loader as csvLoader } from "~/routes/account.usage[.]csv";
import { loader as supportLoader } from "~/routes/support.accounts.$accountId_.usage";
import { loader as supportCsvLoader } from "~/routes/support.accounts.$accountId_.usage[.]csv";
import { getDb } from "~/lib/db.server";
import { call, createUser, fullSessionCookie } from "./helpers";

async function developerWithUsage() {
  const user = await createUser();
  const created = await createApiKey(getDb(), { accountId: user.id, name: "prod", prefix: "glmsk" });
  if (!created.ok) throw new Error(created.reason);
  await creditAccount(getDb(), { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 100, idempotencyKey: `page:${user.id}`, referenceType: "test", referenceId: user.id });
  const usage = (model: string, input: number, output: number) => ({ keyId: created.apiKey.id, model, providerModel: null, inputTokens: input, cachedInputTokens: 0, outputTokens: output });
  await debitUsage(getDb(), { accountId: user.id, requestId: `page-a-${user.id}`, tokens: 90, usage: usage("gpt-4o", 60, 30) });
  await debitUsage(getDb(), { accountId: user.id, requestId: `page-b-${user.id}`, tokens: 40, usage: usage("gpt-4o-mini", 30, 10) });
  return { user, keyId: created.apiKey.id };
}

describe("usage pages", () => {
  it("the developer sees their totals, shortfall, key × model and a request; never another account's", async () => {
    const { user } = await developerWithUsage();
    const other = await developerWithUsage();
    const cookie = await fullSessionCookie(user.id);
    const page = await call(usageLoader, `/account/usage?request=page-b-${user.id}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.data.summary.totals).toMatchObject({ requests: 2, debitedTokens: 100, shortfallTokens: 30 });
    expect(page.data.summary.rows.map((row: any) => row.model)).toEqual(["gpt-4o", "gpt-4o-mini"]);
    expect(page.data.lookup).toMatchObject({ found: "record", shortfallTokens: 30, debitedTokens: 10 });
    expect(page.data.csvHref).toMatch(/^\/account\/usage\.csv\?period=30/);

    const foreign = await call(usageLoader, `/account/usage?request=page-a-${other.user.id}&key=${other.keyId}`, { cookie });
    expect(foreign.data.lookup).toMatchObject({ found: "none" });
    expect(foreign.data.summary.totals.requests).toBe(0);

    const bad = await call(usageLoader, "/account/usage?period=custom&from=2026-13-01", { cookie });
    expect(bad.status).toBe(200);
    expect(bad.data.invalid).toMatch(/from/);
    expect(bad.data.filter.period).toBe("30");

    const csv = await call(csvLoader, "/account/usage.csv?period=7", { cookie });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toMatch(/attachment; filename="ferry-usage-/);
    expect((await call(csvLoader, "/account/usage.csv?by=nothing", { cookie })).status).toBe(400);
  });

  it("support sees any account's usage, and the view and export are audited", async () => {
    const { user } = await developerWithUsage();
    const agent = await createUser({ role: "support" });
    const cookie = await fullSessionCookie(agent.id);
    const page = await call(supportLoader, `/support/accounts/${user.id}/usage`, { cookie, params: { accountId: user.id } });
    expect(page.status).toBe(200);
    expect(page.data.account.id).toBe(user.id);
    expect(page.data.summary.totals.shortfallTokens).toBe(30);
    const csv = await call(supportCsvLoader, `/support/accounts/${user.id}/usage.csv`, { cookie, params: { accountId: user.id } });
    expect(csv.status).toBe(200);
    const audits = await getDb().selectFrom("audit_log").select("action").where("actor_id", "=", agent.id).where("target_id", "=", user.id).execute();
    expect(audits.map((row) => row.action).sort()).toEqual(["support.usage_export", "support.usage_view"]);
    expect((await call(supportLoader, "/support/accounts/usr_nobody/usage", { cookie, params: { accountId: "usr_nobody" } })).status).toBe(404);
  });
});
