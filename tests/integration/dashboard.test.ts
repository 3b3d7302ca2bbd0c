// The developer dashboard shows the account's state: the claim's real state with its one next
// action, credit by bucket with the next promotional expiry, keys, and the last 7 days of usage.
import { describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/api-keys.server";
import { decideClaim, submitClaim } from "~/domain/claims.server";
import { seedDemoEvidence } from "~/domain/demo-seed-evidence.server";
import { recordUsage } from "~/domain/gateway.server";
import { creditAccount, debitUsage } from "~/domain/ledger.server";
import { getDailyUsage } from "~/domain/usage-daily.server";
import { getDb } from "~/lib/db.server";
import { currentProvider } from "~/lib/provider.server";
import { loader as dashboardLoader } from "~/routes/account._index";
import { call, createUser, fullSessionCookie } from "./helpers";

let seed = 100;
const db = () => getDb();

async function developerWithEvidence(dailyTokens: number) {
  const user = await createUser();
  await seedDemoEvidence(db(), user.id, { dailyTokens, seed: seed++ });
  return user;
}

async function dashboardOf(userId: string) {
  const outcome = await call(dashboardLoader, "/account", { cookie: await fullSessionCookie(userId) });
  expect(outcome.status).toBe(200);
  return outcome.data as { dashboard: any; offer: unknown; steps: Array<{ id: string; state: string }> };
}

/** The onboarding steps' states, in order: usage verified, credit claimed, a key, code using it. */
async function stepsOf(userId: string) {
  return (await dashboardOf(userId)).steps.map((step) => step.state);
}

async function pendingClaim(dailyTokens: number) {
  const user = await developerWithEvidence(dailyTokens);
  const submitted = await submitClaim(db(), user.id);
  if (!submitted.ok) throw new Error(submitted.reason);
  expect(submitted.status).toBe("pending");
  return { user, claimId: submitted.claimId };
}

describe("the dashboard's claim state and next action", () => {
  it("asks a new developer to confirm the e-mail, then to upload usage, and shows the offer", async () => {
    const unverified = await createUser({ verified: false });
    expect((await dashboardOf(unverified.id)).dashboard).toMatchObject({ claim: { state: "none" }, next: "verify_email" });
    const fresh = await createUser();
    const view = await dashboardOf(fresh.id);
    expect(view.dashboard).toMatchObject({ claim: { state: "none", offerTokens: 0 }, next: "upload_evidence", usage: null, keys: { active: 0 } });
    expect(view.offer).not.toBeNull();
    expect(view.steps.map((step) => step.state)).toEqual(["next", "later", "next", "later"]);
  });

  it("asks a developer with accepted usage to claim, with the offer computed from it", async () => {
    const user = await developerWithEvidence(100_000);
    const { dashboard } = await dashboardOf(user.id);
    expect(dashboard).toMatchObject({ claim: { state: "none" }, next: "claim" });
    expect(dashboard.claim.offerTokens).toBeGreaterThan(2_500_000);
    expect(await stepsOf(user.id)).toEqual(["done", "next", "next", "later"]);
  });

  it("shows a claim in review, and the request and the reason staff gave", async () => {
    const staff = await createUser({ role: "staff" });
    const inReview = await pendingClaim(1_300_000);
    expect((await dashboardOf(inReview.user.id)).dashboard).toMatchObject({ claim: { state: "in_review" }, next: "wait_review" });
    expect(await stepsOf(inReview.user.id)).toEqual(["done", "next", "next", "later"]);

    const needsInfo = await pendingClaim(700_000);
    await decideClaim(db(), { claimId: needsInfo.claimId, actor: { id: staff.id, role: "staff" }, expectedVersion: 1, decision: { type: "request_info", message: "Please add the cost export." } });
    expect((await dashboardOf(needsInfo.user.id)).dashboard).toMatchObject({ claim: { state: "needs_info", message: "Please add the cost export." }, next: "answer_staff" });

    const rejected = await pendingClaim(500_000);
    await decideClaim(db(), { claimId: rejected.claimId, actor: { id: staff.id, role: "staff" }, expectedVersion: 1, decision: { type: "reject", reason: "Usage of another company." } });
    const view = await dashboardOf(rejected.user.id);
    expect(view.dashboard).toMatchObject({ claim: { state: "rejected", reason: "Usage of another company.", canClaimAgain: false }, next: "new_evidence" });
    expect(view.offer).toBeNull();
  });

  it("after a grant: create a key, then use it, then see the credit and a week of usage", async () => {
    const user = await developerWithEvidence(100_000);
    const submitted = await submitClaim(db(), user.id);
    expect(submitted.ok && submitted.status).toBe("auto_approved");
    let { dashboard } = await dashboardOf(user.id);
    expect(dashboard).toMatchObject({ claim: { state: "granted" }, next: "create_key", usage: null });
    expect(dashboard.balance.promo).toBe(dashboard.claim.grantedTokens);
    expect(dashboard.nextPromoExpiry.tokens).toBe(dashboard.claim.grantedTokens);
    expect(Date.parse(dashboard.nextPromoExpiry.expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    expect(await stepsOf(user.id)).toEqual(["done", "done", "next", "later"]);

    const profile = currentProvider();
    const created = await createApiKey(db(), { accountId: user.id, name: "ci", prefix: profile.keyPrefix });
    if (!created.ok) throw new Error(created.reason);
    ({ dashboard } = await dashboardOf(user.id));
    expect(dashboard).toMatchObject({ next: "use_key", keys: { active: 1 } });
    expect(dashboard.usage).toHaveLength(7);
    expect(dashboard.usage.every((day: { tokens: number }) => day.tokens === 0)).toBe(true);
    expect(await stepsOf(user.id)).toEqual(["done", "done", "done", "next"]);

    const now = Date.now();
    await recordUsage(db(), profile, { requestId: `dash-${user.id}-today`, apiKey: created.key, model: "glm-4-flash", inputTokens: 700, outputTokens: 300 }, new Date(now));
    await recordUsage(db(), profile, { requestId: `dash-${user.id}-3d`, apiKey: created.key, model: "glm-4-flash", inputTokens: 2000, outputTokens: 500 }, new Date(now - 3 * 86_400_000));
    await recordUsage(db(), profile, { requestId: `dash-${user.id}-9d`, apiKey: created.key, model: "glm-4-flash", inputTokens: 9000, outputTokens: 0 }, new Date(now - 9 * 86_400_000));
    await creditAccount(db(), { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 5_000, idempotencyKey: `dash-paid-${user.id}`, referenceType: "test", referenceId: user.id });
    ({ dashboard } = await dashboardOf(user.id));
    expect(dashboard.next).toBe("see_usage");
    expect(await stepsOf(user.id)).toEqual(["done", "done", "done", "done"]);
    expect(dashboard.balance.paid).toBe(5_000);
    const usage = dashboard.usage as Array<{ day: string; tokens: number }>;
    expect(usage.at(-1)).toEqual({ day: new Date(now).toISOString().slice(0, 10), tokens: 1_000 });
    expect(usage.find((day) => day.day === new Date(now - 3 * 86_400_000).toISOString().slice(0, 10))?.tokens).toBe(2_500);
    // Nine days ago is outside the week.
    expect(usage.reduce((sum, day) => sum + day.tokens, 0)).toBe(3_500);
  });
});

describe("daily usage", () => {
  it("sums one account's usage debits per UTC day, with zero days filled in", async () => {
    const user = await createUser();
    const other = await createUser();
    const now = new Date("2026-03-10T12:00:00Z");
    for (const account of [user, other]) {
      await creditAccount(db(), { accountId: account.id, kind: "purchase", bucket: "paid", tokens: 1_000_000, idempotencyKey: `daily-${account.id}`, referenceType: "test", referenceId: account.id, now: new Date("2026-03-01T00:00:00Z") });
    }
    await debitUsage(db(), { accountId: user.id, requestId: `d-${user.id}-1`, tokens: 100, now: new Date("2026-03-10T00:00:00Z") });
    await debitUsage(db(), { accountId: user.id, requestId: `d-${user.id}-2`, tokens: 50, now: new Date("2026-03-10T23:59:59Z") });
    await debitUsage(db(), { accountId: user.id, requestId: `d-${user.id}-3`, tokens: 7, now: new Date("2026-03-04T00:00:00Z") });
    await debitUsage(db(), { accountId: user.id, requestId: `d-${user.id}-4`, tokens: 9, now: new Date("2026-03-03T23:59:59Z") });
    await debitUsage(db(), { accountId: other.id, requestId: `d-${other.id}-1`, tokens: 999, now: new Date("2026-03-10T01:00:00Z") });
    expect(await getDailyUsage(db(), user.id, { days: 7, now })).toEqual([
      { day: "2026-03-04", tokens: 7 },
      { day: "2026-03-05", tokens: 0 },
      { day: "2026-03-06", tokens: 0 },
      { day: "2026-03-07", tokens: 0 },
      { day: "2026-03-08", tokens: 0 },
      { day: "2026-03-09", tokens: 0 },
      { day: "2026-03-10", tokens: 150 },
    ]);
  });
});
