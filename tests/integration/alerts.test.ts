// E-mail alerts: once per crossing, in the developer's language, never when turned off; and the
// pages that set them (alert settings, key limits) validate their input and change nothing on error.
import { describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/api-keys.server";
import { runAlerts } from "~/domain/alerts/index.server";
import { recordUsage } from "~/domain/gateway.server";
import { getKeyLimits, NO_LIMITS, setKeyLimits } from "~/domain/key-limits/index.server";
import { creditAccount, debitUsage } from "~/domain/ledger.server";
import { getDb } from "~/lib/db.server";
import { listOutbox } from "~/lib/mail.server";
import { providerProfiles } from "~/providers";
import { action as notificationsAction, loader as notificationsLoader } from "~/routes/account.notifications";
import { action as limitsAction, loader as limitsLoader } from "~/routes/account.keys.$keyId.limits";
import { call, countMailTo, createUser, fullSessionCookie, latestMailTo } from "./helpers";

const glm = providerProfiles.glm;
let sequence = 0;

async function developer(locale = "en") {
  const user = await createUser();
  if (locale !== "en") await getDb().updateTable("users").set({ locale }).where("id", "=", user.id).execute();
  return user;
}

async function grant(accountId: string, tokens: number, now: Date, expiresInDays = 90) {
  sequence += 1;
  await creditAccount(getDb(), { accountId, kind: "grant", bucket: "promo", tokens, idempotencyKey: `alert-grant:${sequence}`, referenceType: "test", referenceId: accountId, expiresAt: new Date(now.getTime() + expiresInDays * 86_400_000).toISOString(), now });
}

async function spend(accountId: string, tokens: number, now: Date) {
  sequence += 1;
  await debitUsage(getDb(), { accountId, requestId: `alert-spend:${sequence}`, tokens, now });
}

async function mailsAbout(email: string, subjectPart: string) {
  return (await listOutbox(getDb(), 1000, email)).filter((mail) => mail.subject.includes(subjectPart)).length;
}

describe("low balance", () => {
  it("mails once when the credit falls below 10% of the last grant, again only after it recovered", async () => {
    const now = new Date("2030-01-10T00:00:00.000Z");
    const user = await developer();
    await grant(user.id, 1_000_000, now);
    await runAlerts(getDb(), glm, now);
    expect(await mailsAbout(user.email, "below")).toBe(0);
    await spend(user.id, 950_000, now);
    await runAlerts(getDb(), glm, now);
    await runAlerts(getDb(), glm, now);
    expect(await mailsAbout(user.email, "below 100,000 tokens")).toBe(1);
    // Recovery re-arms; the next fall is a new crossing (the new grant makes the default 10% of 500,000).
    await grant(user.id, 500_000, now);
    await runAlerts(getDb(), glm, now);
    await spend(user.id, 560_000, now);
    await runAlerts(getDb(), glm, now);
    expect(await mailsAbout(user.email, "below 50,000 tokens")).toBe(1);
  });

  it("uses the developer's threshold and language, and respects the unsubscribe", async () => {
    const now = new Date("2030-02-10T00:00:00.000Z");
    const user = await developer("zh");
    await grant(user.id, 1_000_000, now);
    const cookie = await fullSessionCookie(user.id);
    const bad = await call(notificationsAction, "/account/notifications", { cookie, form: { balanceThresholdTokens: "lots", balanceAlerts: "on" } });
    expect(bad.status).toBe(400);
    expect(bad.data.fieldErrors.balanceThresholdTokens).toBe("alerts.errors.wholeNumber");
    expect(await getDb().selectFrom("alert_settings").select("user_id").where("user_id", "=", user.id).execute()).toHaveLength(0);
    const saved = await call(notificationsAction, "/account/notifications", { cookie, form: { balanceThresholdTokens: "600,000", balanceAlerts: "on", promoExpiryAlerts: "on" } });
    expect(saved.status).toBe(200);
    const page = await call(notificationsLoader, "/account/notifications", { cookie });
    expect(page.data.settings).toMatchObject({ balanceThresholdTokens: 600_000, balanceAlerts: true, promoExpiryAlerts: true, keyBudgetAlerts: false, defaultThresholdTokens: 100_000 });
    await spend(user.id, 500_000, now);
    await runAlerts(getDb(), glm, now);
    const mail = await latestMailTo(user.email);
    expect(mail?.subject).toContain("额度已低于 600,000 Tokens");
    // Unsubscribed: a new crossing sends nothing.
    await call(notificationsAction, "/account/notifications", { cookie, form: { balanceThresholdTokens: "700000" } });
    const before = await countMailTo(user.email);
    await runAlerts(getDb(), glm, now);
    expect(await countMailTo(user.email)).toBe(before);
  });
});

describe("promo credit expiring", () => {
  it("mails once per grant within 7 days of its expiry", async () => {
    const now = new Date("2030-03-01T00:00:00.000Z");
    const user = await developer();
    await grant(user.id, 2_000_000, now, 30);
    await runAlerts(getDb(), glm, now);
    expect(await mailsAbout(user.email, "free tokens expire")).toBe(0);
    const later = new Date("2030-03-25T00:00:00.000Z");
    await runAlerts(getDb(), glm, later);
    await runAlerts(getDb(), glm, new Date("2030-03-26T00:00:00.000Z"));
    expect(await mailsAbout(user.email, "2,000,000 free tokens expire")).toBe(1);
  });
});

describe("key budget", () => {
  it("mails once per day a key reaches its daily budget", async () => {
    const now = new Date("2030-04-01T08:00:00.000Z");
    const user = await developer();
    await creditAccount(getDb(), { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 1_000_000, idempotencyKey: `budget:${user.id}`, referenceType: "test", referenceId: user.id, now });
    const created = await createApiKey(getDb(), { accountId: user.id, name: "batch-job", prefix: glm.keyPrefix });
    if (!created.ok) throw new Error(created.reason);
    await setKeyLimits(getDb(), { accountId: user.id, keyId: created.apiKey.id, limits: { ...NO_LIMITS, dailyTokens: 1000 } });
    const report = (tokens: number, at: Date) => recordUsage(getDb(), glm, { requestId: `budget-${Math.random()}`, keyId: created.apiKey.id, model: "glm-4", inputTokens: tokens, outputTokens: 0 }, at);
    await report(900, now);
    await runAlerts(getDb(), glm, now);
    expect(await mailsAbout(user.email, "budget")).toBe(0);
    await report(200, now);
    await runAlerts(getDb(), glm, now);
    await runAlerts(getDb(), glm, now);
    expect(await mailsAbout(user.email, "“batch-job” used up its daily budget")).toBe(1);
    const nextDay = new Date("2030-04-02T08:00:00.000Z");
    await report(1000, nextDay);
    await runAlerts(getDb(), glm, nextDay);
    expect(await mailsAbout(user.email, "“batch-job” used up its daily budget")).toBe(2);
  });
});

describe("key limits page", () => {
  it("saves valid limits, refuses bad input without changing anything, and hides other accounts' keys", async () => {
    const user = await developer();
    const created = await createApiKey(getDb(), { accountId: user.id, name: "web", prefix: glm.keyPrefix });
    if (!created.ok) throw new Error(created.reason);
    const keyId = created.apiKey.id;
    const cookie = await fullSessionCookie(user.id);
    const path = `/account/keys/${keyId}/limits`;
    const saved = await call(limitsAction, path, { cookie, params: { keyId }, form: { requestsPerMinute: "60", tokensPerMinute: "", dailyTokens: "1,000,000", monthlyTokens: "", allowedModels: "gpt-4o-mini\nglm-4-plus", allowedCidrs: "203.0.113.0/24, 2001:db8::/32" } });
    expect(saved.location).toBe(`${path}?saved=1`);
    expect((await getKeyLimits(getDb(), user.id, keyId))?.own).toEqual({ ...NO_LIMITS, requestsPerMinute: 60, dailyTokens: 1_000_000, allowedModels: ["gpt-4o-mini", "glm-4-plus"], allowedCidrs: ["203.0.113.0/24", "2001:db8::/32"] });
    for (const [field, value, message] of [
      ["requestsPerMinute", "0", "keyLimits.errors.atLeastOne"],
      ["dailyTokens", "1.5", "keyLimits.errors.wholeNumber"],
      ["allowedCidrs", "203.0.113.0/33", "keyLimits.errors.badCidr"],
      ["allowedModels", "gpt 4<script>", "keyLimits.errors.badModel"],
    ] as const) {
      const refused = await call(limitsAction, path, { cookie, params: { keyId }, form: { [field]: value } });
      expect(refused.status, field).toBe(400);
      expect(refused.data.fieldErrors[field], field).toBe(message);
    }
    expect((await getKeyLimits(getDb(), user.id, keyId))?.own?.requestsPerMinute).toBe(60);
    const page = await call(limitsLoader, path, { cookie, params: { keyId } });
    expect(page.data.defaults).toEqual(glm.keyLimitDefaults);
    // Everything empty: back to the provider's defaults.
    await call(limitsAction, path, { cookie, params: { keyId }, form: {} });
    expect((await getKeyLimits(getDb(), user.id, keyId))?.own).toBeNull();
    const other = await developer();
    const otherCookie = await fullSessionCookie(other.id);
    expect((await call(limitsLoader, path, { cookie: otherCookie, params: { keyId } })).status).toBe(404);
    expect((await call(limitsAction, path, { cookie: otherCookie, params: { keyId }, form: { requestsPerMinute: "1" } })).status).toBe(404);
  });
});
