// The cutoff month is partial: the offer averages over the days in the program window, and both
// claim pages carry the computation that shows it. SQLite, and PostgreSQL with TEST_DATABASE_URL.
import { describe, expect, it } from "vitest";
import { getClaimOverview, submitClaim } from "~/domain/claims.server";
import { saveEvidence } from "~/domain/evidence/index.server";
import type { DayUsage, EvidenceOutcome } from "~/domain/evidence/types";
import { getDb } from "~/lib/db.server";
import { loader as claimLoader } from "~/routes/account.claim";
import { action as loginAction } from "~/routes/login";
import { loader as reviewLoader } from "~/routes/staff.claims.$id";
import { call, cookieHeader, createUser, fullSessionCookie } from "./helpers";

/** 1,000,000 tokens every day from April 1 to the cutoff, July 9 2024 (the default window end). */
function steadyThroughCutoff(): DayUsage[] {
  const days: DayUsage[] = [];
  for (let time = Date.parse("2024-04-01T00:00:00Z"); time <= Date.parse("2024-07-09T00:00:00Z"); time += 86_400_000) {
    days.push({ day: new Date(time).toISOString().slice(0, 10), model: "gpt-4o", inputTokens: 700_000, outputTokens: 300_000, costMicros: 5_000_000, requests: 100 });
  }
  return days;
}

async function logIn(user: { email: string; password: string }) {
  const outcome = await call(loginAction, "/login", { form: { email: user.email, password: user.password } });
  return cookieHeader(outcome.setCookies);
}

describe("the partial cutoff month", () => {
  it("is counted as its share of days, and the claim pages show the computation", async () => {
    const dev = await createUser();
    const days = steadyThroughCutoff();
    const outcome: EvidenceOutcome = {
      kind: "completions_csv",
      status: "accepted",
      reasons: [],
      flags: [],
      fileSha256: null,
      fileBytes: 1,
      fingerprint: `fp-${dev.id}`,
      orgId: null,
      periodStart: days[0]!.day,
      periodEnd: days.at(-1)!.day,
      rowCount: days.length,
      inputTokens: days.length * 700_000,
      outputTokens: days.length * 300_000,
      costMicros: days.length * 5_000_000,
      days,
      summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
    };
    await saveEvidence(getDb(), { userId: dev.id, fileName: "usage.csv", outcome });

    const overview = await getClaimOverview(getDb(), dev.id);
    expect(overview.offer.window.map((month) => [month.month, month.windowDays, month.monthDays])).toEqual([
      ["2024-05", 31, 31],
      ["2024-06", 30, 30],
      ["2024-07", 9, 31],
    ]);
    // 70M over 2 + 9/31 months: the real rate of about 30.6M a month, not 70M ÷ 3 = 23.3M.
    expect(overview.offer.countedMonths).toBe(2.29);
    expect(overview.offer.averageMonthlyTokens).toBe(Math.floor((70_000_000 * 31) / 71));
    expect(overview.offer.offerTokens).toBe(overview.offer.averageMonthlyTokens);

    const page = await call(claimLoader, "/account/claim", { cookie: await logIn(dev) });
    expect(page.data.offer).toMatchObject({ countedMonths: 2.29, averageMonthlyTokens: overview.offer.averageMonthlyTokens });

    const claim = await submitClaim(getDb(), dev.id);
    expect(claim).toMatchObject({ ok: true, status: "pending" });
    if (!claim.ok) return;
    const staff = await createUser({ role: "staff" });
    const review = await call(reviewLoader, `/staff/claims/${claim.claimId}`, { cookie: await fullSessionCookie(staff.id), params: { id: claim.claimId } });
    expect(review.data.claim.computation).toMatchObject({ countedMonths: 2.29, averageMonthlyTokens: overview.offer.averageMonthlyTokens });
    expect(review.data.claim.computation.window[2]).toMatchObject({ month: "2024-07", windowDays: 9, monthDays: 31 });
  });
});
