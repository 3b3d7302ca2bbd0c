// Nobody mints credit alone (issue 11): adjustments that add credit follow the grant rules, through
// the account page and the staff queue, on SQLite and on PostgreSQL with TEST_DATABASE_URL.
import { beforeAll, describe, expect, it } from "vitest";
import { decideCreditAdjustment, proposeCreditAdjustment } from "~/domain/credit-adjustments.server";
import { getGrantPolicy, updateGrantPolicy } from "~/domain/grant-policy.server";
import { getBalance, verifyLedger } from "~/domain/ledger.server";
import { getProgramNumbers } from "~/domain/program-stats.server";
import { changeRole } from "~/domain/user-roles.server";
import { startSession } from "~/lib/auth.server";
import type { Role } from "~/lib/db-schema";
import { getDb } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { loader as creditLoader } from "~/routes/account.credit";
import { action as accountAction, loader as accountLoader } from "~/routes/support.accounts.$accountId";
import { action as queueAction, loader as queueLoader } from "~/routes/staff.adjustments";
import { call, cookieHeader, createUser } from "./helpers";

const M = 1_000_000;
type Persona = { id: string; role: Role; cookie: string };

async function persona(role: Role): Promise<Persona> {
  const user = await createUser({ role });
  return { id: user.id, role, cookie: cookieHeader([await startSession(user.id, { ip: "198.51.100.7", userAgent: "test" }, "passed")]) };
}

let support: Persona;
let staff: Persona;
let staff2: Persona;
let admin: Persona;

beforeAll(async () => {
  [support, staff, staff2, admin] = [await persona("support"), await persona("staff"), await persona("staff"), await persona("admin")];
  // The glm defaults: cap 150M, auto-approve ≤ 10M, promotional credit for 90 days.
  expect(await getGrantPolicy(getDb())).toMatchObject({ capTokens: 150 * M, autoApproveLimitTokens: 10 * M, promoExpiryDays: 90 });
});

function adjust(who: Persona, accountId: string, form: Record<string, string>) {
  return call(accountAction, `/support/accounts/${accountId}`, { cookie: who.cookie, params: { accountId }, form: { intent: "adjust_credit", bucket: "paid", reason: "Outage compensation", adjustmentId: newId("adj"), ...form } });
}

function decide(who: Persona, form: Record<string, string>) {
  return call(queueAction, "/staff/adjustments", { cookie: who.cookie, form });
}

async function adjustmentRow(id: string) {
  return getDb().selectFrom("credit_adjustments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

async function ledgerFor(accountId: string) {
  return getDb().selectFrom("ledger_entries").selectAll().where("account_id", "=", accountId).execute();
}

async function auditActions(accountId: string) {
  const rows = await getDb().selectFrom("audit_log").select("action").where("target_id", "=", accountId).where("action", "like", "%credit%").orderBy("created_at").execute();
  return rows.map((row) => row.action);
}

const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe("never on one's own account", () => {
  it("staff and admins cannot add credit to themselves, not even a little", async () => {
    for (const who of [staff, admin]) {
      for (const tokens of ["1000", String(900 * M)]) {
        const outcome = await adjust(who, who.id, { tokens });
        expect(outcome.status, `${who.role} ${tokens}`).toBe(409);
        expect(outcome.data.formError).toBe("support.errors.own_account");
      }
      expect(await ledgerFor(who.id)).toHaveLength(0);
      expect(await getDb().selectFrom("credit_adjustments").select("id").where("account_id", "=", who.id).execute()).toHaveLength(0);
    }
  });

  it("the account page offers no adjustment form on one's own account", async () => {
    const page = await call(accountLoader, `/support/accounts/${staff.id}`, { cookie: staff.cookie, params: { accountId: staff.id } });
    expect(page.status).toBe(200);
    expect(page.data.adjustments.id).toBeNull();
  });
});

describe("limits", () => {
  it("never above the grant cap, whoever proposes and approves", async () => {
    const developer = await createUser();
    for (const tokens of [String(150 * M + 1), String(900 * M), String(1000 * M)]) {
      const outcome = await adjust(admin, developer.id, { tokens });
      expect(outcome.status, tokens).toBe(409);
      expect(outcome.data.formError).toBe("support.errors.above_cap");
    }
    expect(await ledgerFor(developer.id)).toHaveLength(0);
    expect(await getDb().selectFrom("credit_adjustments").select("id").where("account_id", "=", developer.id).execute()).toHaveLength(0);
  });

  it("promotional credit expires within the policy's expiry period", async () => {
    const developer = await createUser();
    const tooFar = await adjust(staff, developer.id, { tokens: "1000", bucket: "promo", expiresOn: daysFromNow(92) });
    expect(tooFar.data.formError).toBe("support.errors.expiry_too_far");
    const farFuture = await adjust(staff, developer.id, { tokens: "1000", bucket: "promo", expiresOn: "2099-01-01" });
    expect(farFuture.data.formError).toBe("support.errors.expiry_too_far");
    const past = await adjust(staff, developer.id, { tokens: "1000", bucket: "promo", expiresOn: "2020-01-01" });
    expect(past.data.formError).toBe("support.errors.expiry_past");
    expect(await ledgerFor(developer.id)).toHaveLength(0);
    const ok = await adjust(staff, developer.id, { tokens: "1000", bucket: "promo", expiresOn: daysFromNow(90) });
    expect(ok.status).toBe(200);
    expect((await getBalance(getDb(), developer.id)).promo).toBe(1000);
  });

  it("staff alone add up to the auto-approve limit; one token more waits for a second staff member", async () => {
    const developer = await createUser();
    const atLimit = await adjust(staff, developer.id, { tokens: String(10 * M) });
    expect(atLimit.data).toMatchObject({ ok: true });
    expect(atLimit.data.pending).toBeFalsy();
    expect((await getBalance(getDb(), developer.id)).paid).toBe(10 * M);

    const other = await createUser();
    const over = await adjust(staff, other.id, { tokens: String(10 * M + 1) });
    expect(over.data).toMatchObject({ ok: true, pending: true });
    expect(await ledgerFor(other.id)).toHaveLength(0);
  });

  it("repeated small adjustments by one person to one account count together over 24 hours", async () => {
    const developer = await createUser();
    expect((await adjust(staff, developer.id, { tokens: String(6 * M) })).data.pending).toBeFalsy();
    const second = await adjust(staff, developer.id, { tokens: String(4 * M + 1) });
    expect(second.data).toMatchObject({ ok: true, pending: true });
    expect((await adjust(staff, developer.id, { tokens: String(4 * M) })).data.pending).toBeFalsy(); // exactly at the limit
    expect((await adjust(staff, developer.id, { tokens: "1" })).data.pending).toBe(true);
    expect((await getBalance(getDb(), developer.id)).paid).toBe(10 * M);
    // A day later the window has moved on.
    const tomorrow = new Date(Date.now() + 24 * 3_600_000 + 60_000);
    const later = await proposeCreditAdjustment(getDb(), staff, developer.id, { adjustmentId: newId("adj"), tokens: 10 * M, bucket: "paid", reason: "next day" }, tomorrow);
    expect(later).toMatchObject({ ok: true, outcome: "applied" });
  });

  it("two small adjustments sent at once by one person are counted one after the other", async () => {
    const developer = await createUser();
    const results = await Promise.all(
      [1, 2].map(() => proposeCreditAdjustment(getDb(), staff, developer.id, { adjustmentId: newId("adj"), tokens: 6 * M, bucket: "paid", reason: "split in two" })),
    );
    expect(results.map((result) => result.ok && result.outcome).sort()).toEqual(["applied", "pending"]);
    expect((await getBalance(getDb(), developer.id)).paid).toBe(6 * M);
  });

  it("the same form sent twice records one adjustment", async () => {
    const developer = await createUser();
    const adjustmentId = newId("adj");
    expect((await adjust(staff, developer.id, { tokens: String(20 * M), adjustmentId })).data.pending).toBe(true);
    const again = await adjust(staff, developer.id, { tokens: String(20 * M), adjustmentId });
    expect(again.data.formError).toBe("support.errors.unchanged");
    expect(await getDb().selectFrom("credit_adjustments").select("id").where("account_id", "=", developer.id).execute()).toHaveLength(1);
  });
});

describe("a second, different staff member", () => {
  it("support proposes, another staff member approves: one adjustment entry the developer sees", async () => {
    const developer = await createUser();
    const proposed = await adjust(support, developer.id, { tokens: "5000", reason: "Refund for ticket 4411" });
    expect(proposed.data).toMatchObject({ ok: true, pending: true });
    expect(await ledgerFor(developer.id)).toHaveLength(0);

    const queue = await call(queueLoader, "/staff/adjustments", { cookie: staff.cookie });
    const row = queue.data.pending.find((pending: { accountId: string }) => pending.accountId === developer.id);
    expect(row).toMatchObject({ tokens: 5000, proposedBy: support.id, reason: "Refund for ticket 4411", version: 1 });
    // Support cannot approve anything, not even another agent's proposal.
    expect((await decide(support, { intent: "approve", adjustmentId: row.id, version: "1" })).status).toBe(403);

    const approved = await decide(staff, { intent: "approve", adjustmentId: row.id, version: "1" });
    expect(approved.data).toMatchObject({ ok: true });
    expect(await adjustmentRow(row.id)).toMatchObject({ status: "applied", approved_by: staff.id, proposed_by: support.id });
    const entries = await ledgerFor(developer.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: "adjustment", amount: 5000, actor_id: staff.id, idempotency_key: `support-adjustment:${row.id}` });
    expect(await auditActions(developer.id)).toEqual(["credit_adjustment.propose", "credit_adjustment.approve"]);

    const session = cookieHeader([await startSession(developer.id, { ip: null, userAgent: null }, "passed")]);
    const credit = await call(creditLoader, "/account/credit", { cookie: session });
    expect(credit.data.page.entries).toEqual([expect.objectContaining({ kind: "adjustment", amount: 5000 })]);
  });

  it("the proposer cannot approve their own adjustment; the account's owner cannot approve either", async () => {
    const developer = await createUser();
    const proposed = await proposeCreditAdjustment(getDb(), staff, developer.id, { adjustmentId: newId("adj"), tokens: 40 * M, bucket: "paid", reason: "Enterprise migration" });
    if (!proposed.ok) throw new Error(proposed.reason);
    const own = await decide(staff, { intent: "approve", adjustmentId: proposed.adjustmentId, version: "1" });
    expect(own.data.formError).toBe("support.errors.same_approver");

    const forStaff = await proposeCreditAdjustment(getDb(), staff, staff2.id, { adjustmentId: newId("adj"), tokens: 40 * M, bucket: "paid", reason: "Colleague test account" });
    if (!forStaff.ok) throw new Error(forStaff.reason);
    const byOwner = await decide(staff2, { intent: "approve", adjustmentId: forStaff.adjustmentId, version: "1" });
    expect(byOwner.status).toBe(403);
    expect(byOwner.data.formError).toBe("support.errors.own_account");
    expect(await ledgerFor(developer.id)).toHaveLength(0);
    expect(await ledgerFor(staff2.id)).toHaveLength(0);
  });

  it("an account an admin promoted is not an independent approver of that admin's adjustment", async () => {
    const developer = await createUser();
    const puppet = await createUser();
    expect(await changeRole(getDb(), { actorId: admin.id, userId: puppet.id, role: "staff" })).toMatchObject({ ok: true });
    const proposed = await proposeCreditAdjustment(getDb(), admin, developer.id, { adjustmentId: newId("adj"), tokens: 100 * M, bucket: "paid", reason: "Big customer" });
    if (!proposed.ok) throw new Error(proposed.reason);
    const byPuppet = await decideCreditAdjustment(getDb(), { id: puppet.id, role: "staff" }, { adjustmentId: proposed.adjustmentId, expectedVersion: 1, decision: { type: "approve" } });
    expect(byPuppet).toEqual({ ok: false, reason: "not_independent" });
    expect(await ledgerFor(developer.id)).toHaveLength(0);
    expect(await decideCreditAdjustment(getDb(), staff, { adjustmentId: proposed.adjustmentId, expectedVersion: 1, decision: { type: "approve" } })).toEqual({ ok: true, outcome: "applied" });
  });

  it("approval re-checks the policy in force: a cap lowered meanwhile stops it", async () => {
    const developer = await createUser();
    const proposed = await proposeCreditAdjustment(getDb(), staff, developer.id, { adjustmentId: newId("adj"), tokens: 80 * M, bucket: "paid", reason: "Partner credit" });
    if (!proposed.ok) throw new Error(proposed.reason);
    const policy = await getGrantPolicy(getDb());
    expect(await updateGrantPolicy(getDb(), { capTokens: 60 * M, largeGrantLimitTokens: 50 * M }, admin.id)).toMatchObject({ ok: true });
    try {
      expect(await decideCreditAdjustment(getDb(), staff2, { adjustmentId: proposed.adjustmentId, expectedVersion: 1, decision: { type: "approve" } })).toEqual({ ok: false, reason: "above_cap" });
    } finally {
      expect(await updateGrantPolicy(getDb(), { capTokens: policy.capTokens }, admin.id)).toMatchObject({ ok: true });
    }
    expect(await ledgerFor(developer.id)).toHaveLength(0);
  });

  it("a rejected adjustment credits nothing and cannot be approved afterwards", async () => {
    const developer = await createUser();
    const proposed = await adjust(staff, developer.id, { tokens: String(30 * M) });
    const [row] = await getDb().selectFrom("credit_adjustments").selectAll().where("account_id", "=", developer.id).execute();
    expect(proposed.data.pending).toBe(true);
    const rejected = await decide(staff2, { intent: "reject", adjustmentId: row!.id, version: "1", reason: "No ticket for this" });
    expect(rejected.data).toMatchObject({ ok: true });
    const late = await decide(admin, { intent: "approve", adjustmentId: row!.id, version: "1" });
    expect(late.data.formError).toBe("support.errors.not_pending");
    expect(await adjustmentRow(row!.id)).toMatchObject({ status: "rejected", decided_by: staff2.id, decision_reason: "No ticket for this" });
    expect(await ledgerFor(developer.id)).toHaveLength(0);
    expect(await auditActions(developer.id)).toEqual(["credit_adjustment.propose", "credit_adjustment.reject"]);
  });

  it("two staff approving at once, and a double click: one outcome, one ledger entry", async () => {
    const developer = await createUser();
    const proposed = await proposeCreditAdjustment(getDb(), support, developer.id, { adjustmentId: newId("adj"), tokens: 25 * M, bucket: "promo", expiresOn: daysFromNow(30), reason: "Launch partner" });
    if (!proposed.ok) throw new Error(proposed.reason);
    const approve = (who: Persona) => decideCreditAdjustment(getDb(), who, { adjustmentId: proposed.adjustmentId, expectedVersion: 1, decision: { type: "approve" } });
    const results = await Promise.all([approve(staff), approve(staff2), approve(admin), approve(staff2)]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    for (const result of results.filter((r) => !r.ok)) expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^(not_pending|stale)$/) });
    const entries = await ledgerFor(developer.id);
    expect(entries).toHaveLength(1);
    expect(Number(entries[0]!.amount)).toBe(25 * M);
    expect((await getBalance(getDb(), developer.id)).promo).toBe(25 * M);
    expect((await getDb().selectFrom("audit_log").select("id").where("target_id", "=", developer.id).where("action", "=", "credit_adjustment.approve").execute()).length).toBe(1);
    expect((await verifyLedger(getDb())).ok).toBe(true);
  });
});

describe("taking credit back", () => {
  it("stays with staff alone, never on one's own account and never below zero", async () => {
    const developer = await createUser();
    await adjust(staff, developer.id, { tokens: "3000" });
    expect((await adjust(support, developer.id, { tokens: "-1000" })).status).toBe(403);
    expect((await adjust(staff, staff.id, { tokens: "-1" })).data.formError).toBe("support.errors.own_account");
    expect((await adjust(staff2, developer.id, { tokens: "-5000" })).status).toBe(200);
    expect((await getBalance(getDb(), developer.id)).paid).toBe(0);
    expect((await adjust(staff2, developer.id, { tokens: "-1" })).data.formError).toBe("support.errors.nothing_to_take_back");
  });
});

describe("program numbers", () => {
  it("count credit added by adjustments apart from grants", async () => {
    const now = new Date();
    const before = await getProgramNumbers(getDb(), now);
    const developer = await createUser();
    await adjust(staff, developer.id, { tokens: "4321" });
    const after = await getProgramNumbers(getDb(), now);
    const thisWeek = (numbers: typeof after, key: string) => numbers.tokens.find((series) => series.key === key)!.values.at(-1)!;
    expect(thisWeek(after, "adjusted") - thisWeek(before, "adjusted")).toBe(4321);
    expect(thisWeek(after, "granted") - thisWeek(before, "granted")).toBe(0);
  });
});

describe("grant policy ceilings", () => {
  it("one admin cannot lift the cap or the single-person limits to absurd values", async () => {
    const db = getDb();
    const before = await getGrantPolicy(db);
    const absurd: Array<Record<string, number>> = [
      { capTokens: 10_000_000_000 },
      { autoApproveLimitTokens: 900 * M, largeGrantLimitTokens: 900 * M, capTokens: 900 * M },
      { largeGrantLimitTokens: 149 * M, autoApproveLimitTokens: 60 * M },
      { largeGrantLimitTokens: 200 * M },
      { promoExpiryDays: 3650 },
    ];
    for (const patch of absurd) expect(await updateGrantPolicy(db, patch, admin.id), JSON.stringify(patch)).toMatchObject({ ok: false });
    expect(await getGrantPolicy(db)).toEqual(before);
  });
});
