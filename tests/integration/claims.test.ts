// Claim rules end to end over the real database: auto-approval, the queue, duplicates, refusals,
// second approval and racing decisions. Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { decideClaim, getClaim, getClaimOverview, resubmitClaim, submitClaim } from "~/domain/claims.server";
import { saveEvidence } from "~/domain/evidence/index.server";
import type { DayUsage, EvidenceOutcome, Finding } from "~/domain/evidence/types";
import { getGrantPolicy, listGrantPolicyChanges, updateGrantPolicy } from "~/domain/grant-policy.server";
import { getBalance, verifyLedger } from "~/domain/ledger.server";
import { changeRole } from "~/domain/user-roles.server";
import { getDb } from "~/lib/db.server";
import { action as loginAction } from "~/routes/login";
import { action as claimAction, loader as claimLoader } from "~/routes/account.claim";
import { action as reviewAction, loader as reviewLoader } from "~/routes/staff.claims.$id";
import { loader as queueLoader } from "~/routes/staff.claims._index";
import { call, cookieHeader, createUser, fullSessionCookie, latestMailTo, uniqueEmail } from "./helpers";

const M = 1_000_000;

/** Accepted evidence of `monthly` tokens in each of April–June 2024 (one day per month). */
async function seedUsage(userId: string, monthly: number, extra: { orgId?: string | null; fingerprint?: string; flags?: Finding[]; dayOfMonth?: number } = {}) {
  const dd = String(extra.dayOfMonth ?? 15).padStart(2, "0");
  const days: DayUsage[] = [`2024-04-${dd}`, `2024-05-${dd}`, `2024-06-${dd}`].map((day) => ({
    day,
    model: "gpt-4o",
    inputTokens: Math.floor(monthly / 2),
    outputTokens: monthly - Math.floor(monthly / 2),
    costMicros: 1_000_000,
    requests: 10,
  }));
  const outcome: EvidenceOutcome = {
    kind: "completions_csv",
    status: "accepted",
    reasons: [],
    flags: extra.flags ?? [],
    fileSha256: randomBytes(16).toString("hex"),
    fileBytes: 100,
    fingerprint: extra.fingerprint ?? randomBytes(16).toString("hex"),
    orgId: extra.orgId === undefined ? `org-${randomBytes(8).toString("hex")}` : extra.orgId,
    periodStart: days[0]!.day,
    periodEnd: days[2]!.day,
    rowCount: 3,
    inputTokens: days.reduce((sum, day) => sum + day.inputTokens, 0),
    outputTokens: days.reduce((sum, day) => sum + day.outputTokens, 0),
    costMicros: 3_000_000,
    days,
    summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
  };
  return saveEvidence(getDb(), { userId, fileName: "usage.csv", outcome });
}

async function developerWithUsage(monthly: number, extra: Parameters<typeof seedUsage>[2] = {}) {
  const user = await createUser();
  await seedUsage(user.id, monthly, extra);
  return user;
}

async function logIn(email: string, password: string): Promise<string> {
  const outcome = await call(loginAction, "/login", { form: { email, password, redirectTo: "/account" } });
  expect(outcome.status).toBe(302);
  return cookieHeader(outcome.setCookies);
}

async function ledgerEntriesFor(claimId: string) {
  return getDb().selectFrom("ledger_entries").selectAll().where("idempotency_key", "=", `claim:${claimId}`).execute();
}

let staff: Awaited<ReturnType<typeof createUser>>;
let staff2: Awaited<ReturnType<typeof createUser>>;
const staffActor = () => ({ id: staff.id, role: staff.role });
const staff2Actor = () => ({ id: staff2.id, role: staff2.role });

beforeAll(async () => {
  staff = await createUser({ role: "staff" });
  staff2 = await createUser({ role: "admin" });
  // The glm defaults: floor 1M, cap 150M, auto-approve ≤ 10M, second approval > 50M.
  const policy = await getGrantPolicy(getDb());
  expect(policy).toMatchObject({ capTokens: 150 * M, autoApproveLimitTokens: 10 * M, largeGrantLimitTokens: 50 * M, averageMonths: 3, multiplierPercent: 100 });
});

describe("automatic grants", () => {
  it("grants an offer exactly at the auto-approve limit at once, through the ledger, with an e-mail", async () => {
    const dev = await developerWithUsage(10 * M);
    const result = await submitClaim(getDb(), dev.id);
    expect(result).toMatchObject({ ok: true, status: "auto_approved" });
    if (!result.ok) return;
    const claim = await getClaim(getDb(), result.claimId);
    expect(claim).toMatchObject({ status: "auto_approved", offeredTokens: 10 * M, grantedTokens: 10 * M });
    const balance = await getBalance(getDb(), dev.id);
    expect(balance.promo).toBe(10 * M);
    const [entry, ...more] = await ledgerEntriesFor(result.claimId);
    expect(more).toHaveLength(0);
    expect(entry).toMatchObject({ kind: "grant", bucket: "promo", reference_type: "claim", reference_id: result.claimId });
    expect(Number(entry!.amount)).toBe(10 * M);
    // 90 days of promo validity.
    expect(Date.parse(entry!.expires_at!) - Date.parse(entry!.created_at)).toBe(90 * 86_400_000);
    expect((await latestMailTo(dev.email))?.subject).toMatch(/10,000,000/);
    const audit = await getDb().selectFrom("audit_log").select("action").where("target_id", "=", result.claimId).execute();
    expect(audit.map((row) => row.action).sort()).toEqual(["claim.auto_approve", "claim.submit"]);
  });

  it("queues an offer one token over the auto-approve limit", async () => {
    const dev = await developerWithUsage(10 * M + 1);
    const result = await submitClaim(getDb(), dev.id);
    expect(result).toMatchObject({ ok: true, status: "pending" });
    expect((await getBalance(getDb(), dev.id)).total).toBe(0);
  });

  it("queues a small offer that carries an evidence flag", async () => {
    const dev = await developerWithUsage(2 * M, { flags: [{ code: "unknown_model", count: 1, lines: [2] }] });
    const result = await submitClaim(getDb(), dev.id);
    expect(result).toMatchObject({ ok: true, status: "pending" });
    if (!result.ok) return;
    expect((await getClaim(getDb(), result.claimId))?.flags).toEqual([expect.objectContaining({ code: "evidence_flag", detail: "unknown_model" })]);
  });
});

describe("who may claim", () => {
  it("refuses an unverified e-mail", async () => {
    const user = await createUser({ verified: false });
    await seedUsage(user.id, 2 * M);
    expect(await submitClaim(getDb(), user.id)).toEqual({ ok: false, reason: "email_unverified" });
  });

  it("refuses a disposable e-mail domain, subdomains included", async () => {
    for (const email of [`x-${randomBytes(4).toString("hex")}@mailinator.com`, `y-${randomBytes(4).toString("hex")}@eu.mailinator.com`]) {
      const user = await createUser({ email });
      await seedUsage(user.id, 2 * M);
      expect(await submitClaim(getDb(), user.id)).toEqual({ ok: false, reason: "disposable_email" });
    }
    expect(await getDb().selectFrom("claims").select("id").where("account_id", "in", [staff.id]).execute()).toHaveLength(0);
  });

  it("refuses an account without accepted usage", async () => {
    const user = await createUser();
    expect(await submitClaim(getDb(), user.id)).toEqual({ ok: false, reason: "no_usage" });
  });

  it("grants one claim per account, even on a double click", async () => {
    const dev = await developerWithUsage(3 * M);
    const [first, second] = await Promise.all([submitClaim(getDb(), dev.id), submitClaim(getDb(), dev.id)]);
    const oks = [first, second].filter((result) => result.ok);
    expect(oks).toHaveLength(1);
    const refused = [first, second].find((result) => !result.ok);
    expect(refused).toMatchObject({ ok: false, reason: expect.stringMatching(/already_granted|claim_open/) });
    expect(await getDb().selectFrom("claims").select("id").where("account_id", "=", dev.id).execute()).toHaveLength(1);
    expect((await getBalance(getDb(), dev.id)).promo).toBe(3 * M);
    expect(await submitClaim(getDb(), dev.id)).toEqual({ ok: false, reason: "already_granted" });
  });

  it("grants one claim per OpenAI org: a second account with the same org id is refused", async () => {
    const orgId = `org-${randomBytes(8).toString("hex")}`;
    const first = await developerWithUsage(2 * M, { orgId });
    expect(await submitClaim(getDb(), first.id)).toMatchObject({ ok: true, status: "auto_approved" });
    const second = await developerWithUsage(2 * M, { orgId });
    expect(await submitClaim(getDb(), second.id)).toEqual({ ok: false, reason: "org_already_granted" });
  });

  it("flags usage split across accounts: the same rows or org on another account's claim go to review", async () => {
    const fingerprint = `fp-${randomBytes(8).toString("hex")}`;
    const orgId = `org-${randomBytes(8).toString("hex")}`;
    const first = await developerWithUsage(20 * M, { fingerprint, orgId });
    const firstClaim = await submitClaim(getDb(), first.id);
    expect(firstClaim).toMatchObject({ ok: true, status: "pending" });
    const second = await developerWithUsage(2 * M, { fingerprint: `fp-${randomBytes(8).toString("hex")}`, orgId });
    const secondClaim = await submitClaim(getDb(), second.id);
    expect(secondClaim).toMatchObject({ ok: true, status: "pending" });
    if (!secondClaim.ok || !firstClaim.ok) return;
    const flags = (await getClaim(getDb(), secondClaim.claimId))!.flags;
    expect(flags).toContainEqual(expect.objectContaining({ code: "org_on_other_claim", otherAccountId: first.id, otherClaimId: firstClaim.claimId }));
    expect(flags.some((flag) => flag.code === "duplicate_evidence")).toBe(true);

    // Once one of them is granted, the other cannot be granted for the same org.
    expect(await decideClaim(getDb(), { claimId: firstClaim.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "approve" } })).toMatchObject({ ok: true, outcome: "granted" });
    expect(await decideClaim(getDb(), { claimId: secondClaim.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "approve" } })).toEqual({ ok: false, reason: "org_already_granted" });
    expect((await getBalance(getDb(), second.id)).total).toBe(0);
  });
});

describe("staff decisions", () => {
  it("approves a queued claim once; a second click is stale and grants nothing more", async () => {
    const dev = await developerWithUsage(30 * M);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    const first = await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "approve" } });
    expect(first).toEqual({ ok: true, outcome: "granted", tokens: 30 * M });
    const again = await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "approve" } });
    expect(again).toEqual({ ok: false, reason: "stale" });
    expect(await ledgerEntriesFor(submitted.claimId)).toHaveLength(1);
    expect((await getBalance(getDb(), dev.id)).promo).toBe(30 * M);
    const claim = await getClaim(getDb(), submitted.claimId);
    expect(claim).toMatchObject({ status: "approved", decidedBy: staff.id, grantedTokens: 30 * M });
    const audit = await getDb().selectFrom("audit_log").select(["action", "actor_id"]).where("target_id", "=", submitted.claimId).where("action", "=", "claim.approve").execute();
    expect(audit).toEqual([{ action: "claim.approve", actor_id: staff.id }]);
  });

  it("two staff deciding at once: exactly one outcome and at most one grant", async () => {
    const dev = await developerWithUsage(20 * M);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    const results = await Promise.all([
      decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "approve" } }),
      decideClaim(getDb(), { claimId: submitted.claimId, actor: staff2Actor(), expectedVersion: 1, decision: { type: "reject", reason: "Looks copied from another account" } }),
      decideClaim(getDb(), { claimId: submitted.claimId, actor: staff2Actor(), expectedVersion: 1, decision: { type: "approve" } }),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).every((result) => !result.ok && result.reason === "stale")).toBe(true);
    const claim = (await getClaim(getDb(), submitted.claimId))!;
    const entries = await ledgerEntriesFor(submitted.claimId);
    expect(entries).toHaveLength(claim.status === "approved" ? 1 : 0);
    expect((await getBalance(getDb(), dev.id)).promo).toBe(claim.status === "approved" ? 20 * M : 0);
    const decisions = await getDb().selectFrom("claim_decisions").select("action").where("claim_id", "=", submitted.claimId).execute();
    expect(decisions).toHaveLength(2); // submit + the one decision
    expect(await verifyLedger(getDb())).toMatchObject({ ok: true, mismatches: [] });
  });

  it("two claims of one OpenAI org approved at the same moment: one grant", async () => {
    const orgId = `org-${randomBytes(8).toString("hex")}`;
    const first = await developerWithUsage(20 * M, { orgId });
    const second = await developerWithUsage(20 * M, { orgId });
    const a = await submitClaim(getDb(), first.id);
    const b = await submitClaim(getDb(), second.id);
    if (!a.ok || !b.ok) throw new Error("claim refused");
    const results = await Promise.all([
      decideClaim(getDb(), { claimId: a.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "approve" } }),
      decideClaim(getDb(), { claimId: b.claimId, actor: staff2Actor(), expectedVersion: 1, decision: { type: "approve" } }),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toEqual({ ok: false, reason: "org_already_granted" });
    const granted = (await getBalance(getDb(), first.id)).promo + (await getBalance(getDb(), second.id)).promo;
    expect(granted).toBe(20 * M);
  });

  it("staff cannot decide their own claim", async () => {
    const self = await createUser({ role: "staff" });
    await seedUsage(self.id, 20 * M);
    const submitted = await submitClaim(getDb(), self.id);
    if (!submitted.ok) throw new Error("claim refused");
    expect(await decideClaim(getDb(), { claimId: submitted.claimId, actor: { id: self.id, role: "staff" }, expectedVersion: 1, decision: { type: "approve" } })).toEqual({ ok: false, reason: "own_claim" });
    expect((await getClaim(getDb(), submitted.claimId))?.status).toBe("pending");
  });

  it("a developer or support agent cannot decide", async () => {
    const dev = await developerWithUsage(20 * M);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    const support = await createUser({ role: "support" });
    expect(await decideClaim(getDb(), { claimId: submitted.claimId, actor: { id: support.id, role: "support" }, expectedVersion: 1, decision: { type: "approve" } })).toEqual({ ok: false, reason: "forbidden" });
  });

  it("a grant above the large-grant limit needs a second, different approver", async () => {
    const dev = await developerWithUsage(50 * M + 1);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    const first = await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "approve" } });
    expect(first).toEqual({ ok: true, outcome: "first_approval", tokens: 50 * M + 1 });
    expect((await getBalance(getDb(), dev.id)).total).toBe(0);
    expect(await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 2, decision: { type: "approve" } })).toEqual({ ok: false, reason: "same_approver" });
    const second = await decideClaim(getDb(), { claimId: submitted.claimId, actor: staff2Actor(), expectedVersion: 2, decision: { type: "approve" } });
    expect(second).toEqual({ ok: true, outcome: "granted", tokens: 50 * M + 1 });
    expect((await getBalance(getDb(), dev.id)).promo).toBe(50 * M + 1);
    expect(await ledgerEntriesFor(submitted.claimId)).toHaveLength(1);
  });

  it("exactly at the large-grant limit one approval is enough", async () => {
    const dev = await developerWithUsage(50 * M);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    expect(await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "approve" } })).toMatchObject({ ok: true, outcome: "granted" });
  });

  it("an adjusted amount must be within the cap and carries its reason", async () => {
    const dev = await developerWithUsage(20 * M);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    const over = await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "approve_adjusted", tokens: 150 * M + 1, reason: "generous" } });
    expect(over).toEqual({ ok: false, reason: "amount_out_of_range" });
    const adjusted = await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "approve_adjusted", tokens: 12 * M, reason: "Half of May was a load test" } });
    expect(adjusted).toEqual({ ok: true, outcome: "granted", tokens: 12 * M });
    expect(await getClaim(getDb(), submitted.claimId)).toMatchObject({ grantedTokens: 12 * M, decisionReason: "Half of May was a load test" });
    expect((await getBalance(getDb(), dev.id)).promo).toBe(12 * M);
  });

  it("approving another amount above the large-grant limit still needs a second, different approver", async () => {
    const dev = await developerWithUsage(20 * M);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    const raise = { type: "approve_adjusted" as const, tokens: 120 * M, reason: "Their usage is really much larger" };
    expect(await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 1, decision: raise })).toEqual({ ok: true, outcome: "first_approval", tokens: 120 * M });
    expect(await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 2, decision: raise })).toEqual({ ok: false, reason: "same_approver" });
    expect((await getBalance(getDb(), dev.id)).total).toBe(0);
    expect(await decideClaim(getDb(), { claimId: submitted.claimId, actor: staff2Actor(), expectedVersion: 2, decision: { type: "approve" } })).toEqual({ ok: true, outcome: "granted", tokens: 120 * M });
    expect(await ledgerEntriesFor(submitted.claimId)).toHaveLength(1);
  });

  it("an account promoted by the first approver is not an independent second approver", async () => {
    const puppet = await createUser();
    expect(await changeRole(getDb(), { actorId: staff2.id, userId: puppet.id, role: "staff" })).toMatchObject({ ok: true });
    const dev = await developerWithUsage(60 * M);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    expect(await decideClaim(getDb(), { claimId: submitted.claimId, actor: staff2Actor(), expectedVersion: 1, decision: { type: "approve" } })).toMatchObject({ ok: true, outcome: "first_approval" });
    expect(await decideClaim(getDb(), { claimId: submitted.claimId, actor: { id: puppet.id, role: "staff" }, expectedVersion: 2, decision: { type: "approve" } })).toEqual({ ok: false, reason: "not_independent" });
    expect((await getBalance(getDb(), dev.id)).total).toBe(0);
  });

  it("rejection mails the reason; asking for information lets the developer send the claim again", async () => {
    const dev = await developerWithUsage(20 * M);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    const asked = await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "request_info", message: "Please upload June as well." } });
    expect(asked).toEqual({ ok: true, outcome: "needs_info" });
    expect((await latestMailTo(dev.email))?.text_body).toContain("Please upload June as well.");
    const overview = await getClaimOverview(getDb(), dev.id);
    expect(overview.current).toMatchObject({ status: "needs_info", infoRequest: "Please upload June as well." });

    await seedUsage(dev.id, 5 * M, { dayOfMonth: 20 });
    expect(await resubmitClaim(getDb(), dev.id, submitted.claimId)).toEqual({ ok: true });
    const requeued = (await getClaim(getDb(), submitted.claimId))!;
    expect(requeued).toMatchObject({ status: "pending", version: 3 });
    expect(requeued.offeredTokens).toBeGreaterThan(20 * M);

    const rejected = await decideClaim(getDb(), { claimId: submitted.claimId, actor: staffActor(), expectedVersion: 3, decision: { type: "reject", reason: "The usage belongs to your employer's org." } });
    expect(rejected).toEqual({ ok: true, outcome: "rejected" });
    const mail = await latestMailTo(dev.email);
    expect(mail?.subject).toMatch(/not approved/);
    expect(mail?.text_body).toContain("The usage belongs to your employer's org.");
    expect((await getBalance(getDb(), dev.id)).total).toBe(0);

    // The same evidence cannot be claimed again; new evidence goes back to a human, flagged.
    expect(await submitClaim(getDb(), dev.id)).toEqual({ ok: false, reason: "rejected_same_evidence" });
    await seedUsage(dev.id, 1 * M, { dayOfMonth: 25 });
    const again = await submitClaim(getDb(), dev.id);
    expect(again).toMatchObject({ ok: true, status: "pending" });
    if (again.ok) expect((await getClaim(getDb(), again.claimId))?.flags).toContainEqual({ code: "previously_rejected" });
  });

  it("mails the developer in their own language", async () => {
    const dev = await developerWithUsage(2 * M);
    await getDb().updateTable("users").set({ locale: "zh" }).where("id", "=", dev.id).execute();
    await submitClaim(getDb(), dev.id);
    expect((await latestMailTo(dev.email))?.subject).toContain("免费额度已到账");
  });
});

describe("routes", () => {
  it("the amount comes from the server, never from the form", async () => {
    const dev = await developerWithUsage(4 * M);
    const cookie = await logIn(dev.email, dev.password);
    const page = await call(claimLoader, "/account/claim", { cookie });
    expect(page.data.offer.offerTokens).toBe(4 * M);
    const outcome = await call(claimAction, "/account/claim", { cookie, form: { intent: "claim", tokens: String(150 * M), offeredTokens: String(150 * M) } });
    expect(outcome.data).toEqual({ ok: true, done: "auto_approved" });
    expect((await getBalance(getDb(), dev.id)).promo).toBe(4 * M);
  });

  it("the developer sees the staff's question and sends the claim again through the page", async () => {
    const dev = await developerWithUsage(25 * M);
    const cookie = await logIn(dev.email, dev.password);
    const claimed = await call(claimAction, "/account/claim", { cookie, form: { intent: "claim" } });
    expect(claimed.data).toEqual({ ok: true, done: "pending" });
    const claimId = (await getClaimOverview(getDb(), dev.id)).current!.id;
    await decideClaim(getDb(), { claimId, actor: staffActor(), expectedVersion: 1, decision: { type: "request_info", message: "Which project used gpt-4o?" } });
    const page = await call(claimLoader, "/account/claim", { cookie });
    expect(page.data.current).toMatchObject({ status: "needs_info", infoRequest: "Which project used gpt-4o?" });
    // Another account cannot send someone else's claim again.
    const stranger = await developerWithUsage(1 * M);
    const strangerCookie = await logIn(stranger.email, stranger.password);
    const refused = await call(claimAction, "/account/claim", { cookie: strangerCookie, form: { intent: "resubmit", claimId } });
    expect(refused.data.formError).toBe("claims.ineligible.not_found");
    const again = await call(claimAction, "/account/claim", { cookie, form: { intent: "resubmit", claimId } });
    expect(again.data).toEqual({ ok: true, done: "resubmitted" });
    expect((await getClaim(getDb(), claimId))?.status).toBe("pending");
  });

  it("shows when the granted credit expires", async () => {
    const dev = await developerWithUsage(3 * M);
    const cookie = await logIn(dev.email, dev.password);
    await call(claimAction, "/account/claim", { cookie, form: { intent: "claim" } });
    const page = await call(claimLoader, "/account/claim", { cookie });
    expect(page.data.current.status).toBe("auto_approved");
    expect(Date.parse(page.data.grantExpiresAt) - Date.parse(page.data.current.decidedAt)).toBe(90 * 86_400_000);
  });

  it("the queue and claim pages are for staff only; a developer gets 403", async () => {
    const dev = await developerWithUsage(30 * M);
    const cookie = await logIn(dev.email, dev.password);
    expect((await call(queueLoader, "/staff/claims", { cookie })).status).toBe(403);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    expect((await call(reviewLoader, `/staff/claims/${submitted.claimId}`, { cookie, params: { id: submitted.claimId } })).status).toBe(403);
    expect((await call(reviewAction, `/staff/claims/${submitted.claimId}`, { cookie, params: { id: submitted.claimId }, form: { intent: "approve", version: "1" } })).status).toBe(403);
    expect((await getClaim(getDb(), submitted.claimId))?.status).toBe("pending");
  });

  it("staff filter, sort and decide through the pages; a bad reason changes nothing", async () => {
    const staffCookie = await fullSessionCookie(staff.id);
    const dev = await developerWithUsage(33 * M);
    const submitted = await submitClaim(getDb(), dev.id);
    if (!submitted.ok) throw new Error("claim refused");
    const queue = await call(queueLoader, `/staff/claims?minTokens=33000000&maxTokens=33,000,000&sort=largest`, { cookie: staffCookie });
    expect(queue.status).toBe(200);
    expect(queue.data.claims.map((row: { id: string }) => row.id)).toEqual([submitted.claimId]);
    const clean = await call(queueLoader, `/staff/claims?flags=flagged&minTokens=33000000&maxTokens=33000000`, { cookie: staffCookie });
    expect(clean.data.total).toBe(0);

    const page = await call(reviewLoader, `/staff/claims/${submitted.claimId}`, { cookie: staffCookie, params: { id: submitted.claimId } });
    expect(page.status).toBe(200);
    expect(page.data.usage.models).toEqual([expect.objectContaining({ model: "gpt-4o" })]);
    const bad = await call(reviewAction, `/staff/claims/${submitted.claimId}`, { cookie: staffCookie, params: { id: submitted.claimId }, form: { intent: "reject", version: "1", reason: "no" } });
    expect(bad.status).toBe(400);
    expect(bad.data.fieldErrors.reason).toBe("review.errors.reasonRequired");
    expect((await getClaim(getDb(), submitted.claimId))?.status).toBe("pending");
    const ok = await call(reviewAction, `/staff/claims/${submitted.claimId}`, { cookie: staffCookie, params: { id: submitted.claimId }, form: { intent: "approve", version: "1" } });
    expect(ok.data).toEqual({ ok: true, outcome: "granted", tokens: 33 * M });
    const stale = await call(reviewAction, `/staff/claims/${submitted.claimId}`, { cookie: staffCookie, params: { id: submitted.claimId }, form: { intent: "approve", version: "1" } });
    expect(stale.status).toBe(409);
    expect(stale.data.formError).toBe("review.errors.stale");
    expect(await ledgerEntriesFor(submitted.claimId)).toHaveLength(1);
  });

  it("paginates the queue 20 at a time", async () => {
    const staffCookie = await fullSessionCookie(staff.id);
    for (let i = 0; i < 21; i++) {
      const dev = await createUser({ email: uniqueEmail("page") });
      await seedUsage(dev.id, 77 * M + i);
      await submitClaim(getDb(), dev.id);
    }
    const filter = `minTokens=${77 * M}&maxTokens=${77 * M + 20}&sort=smallest`;
    const first = await call(queueLoader, `/staff/claims?${filter}`, { cookie: staffCookie });
    expect(first.data).toMatchObject({ total: 21, page: 1, pages: 2 });
    expect(first.data.claims).toHaveLength(20);
    const second = await call(queueLoader, `/staff/claims?${filter}&page=2`, { cookie: staffCookie });
    expect(second.data.claims).toHaveLength(1);
    expect(second.data.claims[0].offeredTokens).toBe(77 * M + 20);
  });
});

describe("grant policy settings", () => {
  it("an invalid change is refused and changes nothing; a valid one is saved with history and audit", async () => {
    const db = getDb();
    const before = await getGrantPolicy(db);
    const invalid = await updateGrantPolicy(db, { floorTokens: 200 * M }, staff2.id);
    expect(invalid).toMatchObject({ ok: false, fieldErrors: { floorTokens: "claims.errors.policyFloorAboveCap" } });
    expect(await updateGrantPolicy(db, { capTokens: "lots" }, staff2.id)).toMatchObject({ ok: false });
    expect(await updateGrantPolicy(db, { bogus: 1 }, staff2.id)).toMatchObject({ ok: false });
    expect(await getGrantPolicy(db)).toEqual(before);
    expect(await listGrantPolicyChanges(db)).toHaveLength(0);

    const saved = await updateGrantPolicy(db, { promoExpiryDays: 60 }, staff2.id);
    expect(saved).toMatchObject({ ok: true, policy: { promoExpiryDays: 60, capTokens: 150 * M } });
    const inForce = await getGrantPolicy(db);
    expect(inForce.promoExpiryDays).toBe(60);
    inForce.promoExpiryDays = 1; // each caller gets its own copy of the remembered policy
    expect((await getGrantPolicy(db)).promoExpiryDays).toBe(60);
    const history = await listGrantPolicyChanges(db);
    expect(history).toHaveLength(1);
    expect(JSON.parse(history[0]!.new_value)).toEqual({ promoExpiryDays: 60 });
    expect(await db.selectFrom("audit_log").select("actor_id").where("action", "=", "grant_policy.update").execute()).toEqual([{ actor_id: staff2.id }]);
    await updateGrantPolicy(db, { promoExpiryDays: before.promoExpiryDays }, staff2.id);
  });
});
